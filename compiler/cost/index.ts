export type { DeviceProfile } from "./profile.js";
export { computeRate, BUILTIN_PROFILES } from "./profile.js";
export { loadProfile, validateProfile, isProfileError, type ProfileError } from "./profiles.js";
export { allReduceTime, allGatherTime, reduceScatterTime } from "./collectives.js";
export { enumerateConfigs, configLabel, configKind, type LayerConfig } from "./layer-config.js";
export { layerCost, shares, type LayerCost, type LayerWork } from "./layer-cost.js";
export { edgeCoefficients, redistributionTime, type RedistributionCoefficients } from "./redistribution.js";
export { splitKind, isSplittable, type SplitKind } from "./split-kind.js";
export { optimizerSlots } from "./optimizer-slots.js";
