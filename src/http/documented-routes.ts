/**
 * The routes src/http/openapi.json documents, as express templates (`/v1/campaigns/:id/participations`): what
 * a request names when it was answered before any router ran (bad JSON, 413, 415, 405, a CORS preflight). Only
 * documented templates come out, so a label built from them stays bounded whatever paths clients send. Paths
 * match as express routes them: case-insensitively, with an optional trailing slash.
 */
import openapi from './openapi.json';

interface DocumentedPath {
  template: string;
  pattern: RegExp;
  /** What an `Allow` header lists: the methods, HEAD with GET, and OPTIONS, in a stable order. */
  allowed: string[];
}

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const ORDER = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/** One entry per documented path; no request path matches two (a parameter never spans a `/`). */
const PATHS: DocumentedPath[] = Object.entries(openapi.paths as Record<string, object>).map(
  ([path, item]) => {
    const segments = path.split('/');
    const methods = Object.keys(item).map((method) => method.toUpperCase());
    const allowed = new Set([...methods, 'OPTIONS', ...(methods.includes('GET') ? ['HEAD'] : [])]);
    return {
      template: segments.map((s) => s.replace(/^\{(.+)\}$/, ':$1')).join('/'),
      pattern: new RegExp(
        `^${segments.map((s) => (/^\{.+\}$/.test(s) ? '[^/]+' : escape(s))).join('/')}/?$`,
        'i',
      ),
      allowed: ORDER.filter((m) => allowed.has(m)),
    };
  },
);

const documentedPath = (path: string): DocumentedPath | undefined => PATHS.find((p) => p.pattern.test(path));

/**
 * The documented template a path belongs to, whatever the method (a 405 or a CORS preflight on it is still about
 * that route), or null.
 */
export function documentedTemplate(path: string): string | null {
  return documentedPath(path)?.template ?? null;
}

/**
 * The methods a documented path answers (GET brings HEAD; OPTIONS always), in a stable order; null when no
 * documented route holds the path.
 */
export function allowedMethods(path: string): readonly string[] | null {
  return documentedPath(path)?.allowed ?? null;
}
