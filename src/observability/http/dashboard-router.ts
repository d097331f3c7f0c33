/**
 * The dashboard's static files under /dashboard: an HTML shell, one script and one stylesheet, read from the
 * package's own src/observability/dashboard (found from the package root, so it works from dist/ too). The
 * shell holds no data: everything it shows comes from the admin report endpoint with the reader's admin
 * token (see dashboard.js for how the token is kept).
 */
import { join } from 'node:path';
import { Router } from 'express';
import { packageRoot } from '../../shared/package-root';

function dashboardDirectory(): string {
  return join(packageRoot(), 'src', 'observability', 'dashboard');
}

const ASSETS = new Set(['dashboard.js', 'dashboard.css']);

/** Stricter than the app-wide policy: own script and style only, fetches to this origin, never framed. */
const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export function dashboardRouter(directory = dashboardDirectory()): Router {
  const router = Router();
  const send = (file: string) => (_req: unknown, res: import('express').Response) => {
    res.set({ 'Cache-Control': 'no-cache', 'Content-Security-Policy': CSP });
    res.sendFile(join(directory, file));
  };
  router.get('/dashboard', send('index.html'));
  for (const asset of ASSETS) router.get(`/dashboard/${asset}`, send(asset));
  return router;
}
