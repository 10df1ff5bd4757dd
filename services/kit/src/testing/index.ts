export { childProcesses, closedPort, isRunning } from "./processes.js";
export {
  connectCall,
  connectStreamCall,
  envelope,
  grpcCall,
  grpcWebCall,
  type RawOutcome,
} from "./raw-calls.js";
export { waitFor } from "./wait-for.js";
