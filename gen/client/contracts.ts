// The service descriptors and the most used messages and enums of the Marquee
// contracts. Everything else (every request and response of every RPC) is a
// deep import away, e.g. "@marquee/sdk/marquee/content/v1/content_service_pb".

export {
  type Violation,
  ViolationSchema,
  type Violations,
  ViolationsSchema,
} from "@bufbuild/protovalidate/gen/buf/validate/validate_pb.js";
export {
  AccountService,
  BillingCycle,
  type Invoice,
  InvoiceSchema,
  InvoiceState,
  type Money,
  MoneySchema,
  type Plan,
  PlanSchema,
  PlanTier,
  type Subscription,
  SubscriptionSchema,
  SubscriptionState,
} from "../src/marquee/account/v1/account_service_pb.js";
export { MaturityRating } from "../src/marquee/common/v1/maturity_pb.js";
export { VideoQuality } from "../src/marquee/common/v1/video_quality_pb.js";
export {
  type Artwork,
  ArtworkSchema,
  type CastMember,
  CastMemberSchema,
  type Content,
  ContentSchema,
  ContentType,
  type Episode,
  EpisodeSchema,
  type Genre,
  GenreSchema,
  PublishState,
  type Season,
  SeasonSchema,
} from "../src/marquee/content/v1/content_pb.js";
export {
  BrowseSort,
  ContentService,
  type SearchResult,
  SearchResultSchema,
  type TrendingItem,
  TrendingItemSchema,
} from "../src/marquee/content/v1/content_service_pb.js";
export {
  FeedbackCategory,
  FeedbackService,
  type Rating,
  RatingSchema,
  RatingValue,
} from "../src/marquee/feedback/v1/feedback_service_pb.js";
export {
  type RecommendationRow,
  RecommendationRowSchema,
  RecommendationService,
  type RecommendedItem,
  RecommendedItemSchema,
  RowKind,
} from "../src/marquee/recommendation/v1/recommendation_service_pb.js";
export {
  type IngestJob,
  IngestJobSchema,
  IngestState,
  type PlaybackProgress,
  PlaybackProgressSchema,
  PlaybackState,
  type Rendition,
  RenditionSchema,
  StreamingService,
  type ViewingHistoryEntry,
  ViewingHistoryEntrySchema,
} from "../src/marquee/streaming/v1/streaming_service_pb.js";
export {
  type Profile,
  ProfileSchema,
  type SessionTokens,
  SessionTokensSchema,
  type User,
  UserSchema,
  UserService,
} from "../src/marquee/user/v1/user_service_pb.js";
