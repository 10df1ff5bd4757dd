/**
 * Puts our ABR decision (abr-rule.ts) into dash.js as a quality-switch rule
 * through its custom-rule API: dash.js asks before each video segment, the
 * rule reads the allowed Representations and answers with one (or no change).
 */
import type { Representation } from "dashjs";
import { type AbrDecision, type AbrInput, chooseRendition, type LadderRung } from "./abr-rule.js";

/** What the rule needs from the playback besides what dash.js hands it. */
export interface RuleInputs {
  throughputBps(): number | undefined;
  latencyMs(): number;
  bufferSeconds(): number;
  audioBps(): number;
  /** Told of every decision (the stats overlay shows the target). */
  decided(decision: AbrDecision, target: Representation): void;
}

/** The parts of dash.js's rules context the rule uses. */
interface RulesContextLike {
  getMediaType(): string;
  getMediaInfo(): unknown;
  getRepresentation(): Representation | null | undefined;
  getAbrController(): {
    getPossibleVoRepresentationsFilteredBySettings(
      mediaInfo: unknown,
      includeCompatible?: boolean,
    ): Representation[];
  };
}

export const RULE_NAME = "MarqueeAbrRule";
/** dash.js's SwitchRequest priority "default" and its "no change". */
const PRIORITY_DEFAULT = 0.5;
const NO_CHANGE = null;

function ladderOf(reps: readonly Representation[]): LadderRung[] {
  return reps.map((r) => ({ id: r.id, bitrateBps: r.bandwidth, height: r.height }));
}

/** The factory dash.js's `addABRCustomRule("qualitySwitchRules", RULE_NAME, factory)` takes. */
export function marqueeRuleFactory(inputs: RuleInputs) {
  const getSwitchRequest = (ctx: RulesContextLike) => {
    const none = { representation: NO_CHANGE, priority: PRIORITY_DEFAULT, reason: null, rule: RULE_NAME };
    if (ctx.getMediaType() !== "video") return none;
    const reps = [
      ...ctx.getAbrController().getPossibleVoRepresentationsFilteredBySettings(ctx.getMediaInfo(), true),
    ].sort((a, b) => a.bandwidth - b.bandwidth);
    if (reps.length === 0) return none;
    const now = ctx.getRepresentation();
    const current = Math.max(
      0,
      reps.findIndex((r) => r.id === now?.id),
    );
    const input: AbrInput = {
      ladder: ladderOf(reps),
      current,
      throughputBps: inputs.throughputBps(),
      latencyMs: inputs.latencyMs(),
      bufferSeconds: inputs.bufferSeconds(),
      segmentSeconds: segmentSecondsOf(now ?? reps[0]),
      audioBps: inputs.audioBps(),
    };
    const decision = chooseRendition(input);
    const target = reps[decision.index] as Representation;
    inputs.decided(decision, target);
    if (target.id === now?.id) return none;
    return {
      representation: target,
      priority: PRIORITY_DEFAULT,
      reason: { message: decision.reason },
      rule: RULE_NAME,
    };
  };
  return () => ({
    create: () => ({ getSwitchRequest, getClassName: () => RULE_NAME, reset: () => undefined }),
  });
}

/** Segment duration from a Representation (SegmentTemplate/Timeline), 4 s when unknown. */
function segmentSecondsOf(rep: Representation | undefined): number {
  for (const d of [rep?.segmentDuration, rep?.fragmentDuration]) {
    if (typeof d === "number" && Number.isFinite(d) && d > 0) return d;
  }
  return 4;
}
