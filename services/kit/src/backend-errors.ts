/**
 * Failures of the stores' and search's drivers that mean "not now" rather than "never": a node
 * down or slow (the window before the driver marks it down, a batchlog or replica write that timed
 * out at LOCAL_QUORUM), no host reachable, an overloaded or bootstrapping node, search answering
 * 429/5xx. The same call may well succeed when sent again, so the client should hear Unavailable,
 * not Internal. Recognised by the drivers' error names and codes, so the kit loads no driver.
 */

/** cassandra-driver's response error codes that are about the cluster's state, not the request. */
const CASSANDRA_NOT_NOW = new Set([
  0x1000, // unavailable: too few replicas alive for the consistency level
  0x1001, // overloaded
  0x1002, // is bootstrapping
  0x1100, // write timeout (a batchlog write included)
  0x1200, // read timeout
]);

const OPENSEARCH_NOT_NOW = new Set([429, 502, 503, 504]);

export function isTransientBackendError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  switch (err.name) {
    // cassandra-driver
    case "NoHostAvailableError":
    case "OperationTimedOutError":
    case "BusyConnectionError":
    // @opensearch-project/opensearch
    case "ConnectionError":
    case "TimeoutError":
    case "NoLivingConnectionsError":
      return true;
    case "ResponseError": {
      // Both drivers name their server-answered errors so: Cassandra's carry a code, OpenSearch's a status.
      const { code, statusCode } = err as { code?: unknown; statusCode?: unknown };
      return (
        (typeof code === "number" && CASSANDRA_NOT_NOW.has(code)) ||
        (typeof statusCode === "number" && OPENSEARCH_NOT_NOW.has(statusCode))
      );
    }
    default:
      return false;
  }
}
