import type { StreamingStore } from "../src/store.js";

/** Opens a store on fresh storage; each slice's contract sees only its port (and close). */
export type StoreFactory<Port> = () => Promise<Port & Pick<StreamingStore, "close">>;
