import test from "ava";
import { startHarness } from "./harness.js";
import { mediaAccessSuite } from "./media-access-suite.js";
import { playbackSuite } from "./playback-suite.js";

// Embedded: classic-level store and the embedded bus.
playbackSuite(test, (opts) => startHarness(opts));
mediaAccessSuite(test, (opts) => startHarness(opts));
