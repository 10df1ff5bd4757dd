import { uuidV5 as uuidV5In } from "@marquee/kit";

/** Namespace of Marquee's seeded catalog ids (a random UUID fixed once). */
const CATALOG_NAMESPACE = "6f1c2b9e-4a7d-4c1e-9b3f-2d8e5a7c0f14";

/** A version-5 UUID, in the catalog's namespace by default: the same name always gives the same id, so re-seeding is idempotent. */
export function uuidV5(name: string, namespace: string = CATALOG_NAMESPACE): string {
  return uuidV5In(name, namespace);
}
