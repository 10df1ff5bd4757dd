export { childProcesses, closedPort, isRunning } from "./processes.js";
export {
  connectCall,
  connectStreamCall,
  envelope,
  grpcCall,
  grpcWebCall,
  type RawOutcome,
} from "./raw-calls.js";
export { recordSpans, type SpanRecorder } from "./spans.js";
export { waitFor } from "./wait-for.js";
