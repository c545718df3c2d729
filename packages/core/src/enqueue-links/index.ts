// Link enqueueing: enqueueLinks(), its options, strategies, patterns and helpers.

export {
  enqueueLinks,
  resolveBaseUrlForEnqueueLinksFiltering,
  type ResolveBaseUrl,
} from './enqueue-links.js';
export { InvalidPatternError } from './errors.js';
export {
  validateEnqueueLinksOptions,
  type EnqueueLinksOptions,
  type RobotsTxtFileLike,
  type SkippedRequestCallback,
  type SkippedRequestReason,
} from './options.js';
export {
  constructExcludePatternObjects,
  constructGlobObjectsFromGlobs,
  constructRegExpObjectsFromPseudoUrls,
  constructRegExpObjectsFromRegExps,
  createPatternMatcher,
  purlToRegExp,
  validateGlobPattern,
  type ExcludeInput,
  type GlobInput,
  type GlobObject,
  type PatternRequestOptions,
  type PseudoUrlInput,
  type PseudoUrlObject,
  type RegExpInput,
  type RegExpObject,
  type UrlPatternObject,
} from './patterns.js';
export {
  createRequestOptions,
  createRequests,
  filterRequestsByPatterns,
  selectRequestOptions,
  withStrategy,
  type CreateRequestOptionsSettings,
  type RequestTransform,
} from './request-options.js';
export {
  EnqueueStrategy,
  filterUrl,
  isEnqueueStrategy,
  matchesEnqueueStrategy,
  registrableDomain,
  type EnqueueStrategyLike,
  type FilterUrlResult,
} from './strategy.js';
