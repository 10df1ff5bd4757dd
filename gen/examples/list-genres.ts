// Lists the catalog's genres.
//
//   node --conditions=marquee-source --import tsx gen/examples/list-genres.ts
//
// Reads MARQUEE_URL (default http://127.0.0.1:8080) and MARQUEE_API_KEY
// (default: the local partner key `npm start` prints; empty: no key).
//
// Exits 0 with the genres printed, 2 when the call fails with a ConnectError
// (e.g. Unauthenticated without a valid partner API key), 1 on anything else.

import { Code, ConnectError, createMarquee } from "@marquee/sdk";

const baseUrl = process.env.MARQUEE_URL ?? "http://127.0.0.1:8080";
// "marquee-local-partner-key" is the key a local `npm start` configures; use your own elsewhere.
const apiKey = (process.env.MARQUEE_API_KEY ?? "marquee-local-partner-key") || undefined;

const marquee = createMarquee({ baseUrl, apiKey, timeoutMs: 5_000 });

try {
  const { genres } = await marquee.content.getGenres({});
  if (genres.length === 0) console.log("The catalog has no genres yet.");
  for (const genre of genres) {
    console.log(`${genre.genreId.padEnd(24)} ${genre.name} (${genre.titleCount} titles)`);
  }
} catch (err) {
  // Every RPC failure is a ConnectError with a code, whatever the transport.
  if (!(err instanceof ConnectError)) throw err;
  console.log(`${Code[err.code]}: ${err.rawMessage}`);
  console.log(hint(err.code));
  process.exitCode = 2;
}

function hint(code: Code): string {
  switch (code) {
    case Code.Unimplemented:
      return "The gateway does not serve this RPC yet.";
    case Code.Unauthenticated:
    case Code.PermissionDenied:
      return "Check MARQUEE_API_KEY: it must be valid and carry the scopes this RPC needs.";
    case Code.Unavailable:
      return `Nothing answered at ${baseUrl}: is the gateway running (npm start)? Set MARQUEE_URL otherwise.`;
    case Code.DeadlineExceeded:
      return "No answer within 5 s; the call was abandoned.";
    case Code.ResourceExhausted:
      return "Rate limited: retry later.";
    default:
      return "See the error codes in gen/README.md.";
  }
}
