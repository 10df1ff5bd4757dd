/** Removes the build output `npm pack` made (run as postpack), so packing leaves the checkout as it was. */
import { rmSync } from "node:fs";

rmSync(new URL("../dist", import.meta.url), { recursive: true, force: true });
