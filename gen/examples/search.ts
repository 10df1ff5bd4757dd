// Searches the catalog.
//
//   node --conditions=marquee-source --import tsx gen/examples/search.ts star wars
//   node --conditions=marquee-source --import tsx gen/examples/search.ts ""   # see a validation error
//
// Reads MARQUEE_URL (default http://127.0.0.1:8080) and MARQUEE_API_KEY
// (default: the local partner key `npm start` prints; empty: no key).
// Exits 0 with the results printed, 2 when the call fails with a ConnectError,
// 1 without a query.

import { Code, ConnectError, createMarquee, fieldViolations } from "@marquee/sdk";

const args = process.argv.slice(2);
if (args.length === 0) {
  console.log("usage: search.ts <query words...>");
  process.exit(1);
}
const query = args.join(" ");

const marquee = createMarquee({
  baseUrl: process.env.MARQUEE_URL ?? "http://127.0.0.1:8080",
  // "marquee-local-partner-key" is the key a local `npm start` configures; use your own elsewhere.
  apiKey: (process.env.MARQUEE_API_KEY ?? "marquee-local-partner-key") || undefined,
});

try {
  const res = await marquee.content.searchContent({ query, pageSize: 10 });
  console.log(`${res.totalSize} titles match "${query}"${res.results.length > 0 ? "; best first:" : "."}`);
  for (const { content, score } of res.results) {
    const year = content?.releaseDate.slice(0, 4) || "----";
    console.log(`  ${score.toFixed(2)}  ${content?.title ?? "?"} (${year})  ${content?.contentId ?? ""}`);
  }
  if (res.nextPageToken !== "") console.log("  ... more on the next page (pageToken).");
} catch (err) {
  if (!(err instanceof ConnectError)) throw err;
  if (err.code === Code.InvalidArgument) {
    // The request broke validation rules of the contract; the error says which ones.
    console.log("The request was refused:");
    for (const v of fieldViolations(err)) console.log(`  ${v.field}: ${v.message} [${v.rule}]`);
  } else {
    console.log(`${Code[err.code]}: ${err.rawMessage}`);
  }
  process.exitCode = 2;
}
