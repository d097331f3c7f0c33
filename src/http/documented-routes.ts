/**
 * The routes src/http/openapi.json documents, as express templates (`/v1/campaigns/:id/participations`): what
 * a request names when it was answered before any router ran (bad JSON, 413, 415). Only documented templates
 * come out, so a label built from them stays bounded whatever paths clients send.
 */
import openapi from './openapi.json';

interface DocumentedRoute {
  method: string;
  template: string;
  pattern: RegExp;
}

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const ROUTES: DocumentedRoute[] = Object.entries(openapi.paths as Record<string, object>).flatMap(
  ([path, item]) => {
    const segments = path.split('/');
    const template = segments.map((s) => s.replace(/^\{(.+)\}$/, ':$1')).join('/');
    const pattern = new RegExp(
      `^${segments.map((s) => (/^\{.+\}$/.test(s) ? '[^/]+' : escape(s))).join('/')}/?$`,
    );
    return Object.keys(item).map((method) => ({ method: method.toUpperCase(), template, pattern }));
  },
);

/** The documented template `method path` belongs to, or null. */
export function documentedRoute(method: string, path: string): string | null {
  const verb = method === 'HEAD' ? 'GET' : method;
  return ROUTES.find((r) => r.method === verb && r.pattern.test(path))?.template ?? null;
}
