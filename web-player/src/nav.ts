/** The app's router instance, importable by every screen without cycles. */
import { Router } from "./lib/router.js";

export const router = new Router();

export function navigate(to: string, opts: { replace?: boolean } = {}): void {
  router.navigate(to, opts);
}
