/**
 * Who may call each RPC from outside, for every RPC of every service: the one
 * place the gateway's authorization is stated (a test fails when an RPC of any
 * service descriptor is missing here, or an entry names no RPC).
 *
 * - public:   anyone, signed in or not;
 * - member:   a signed-in member (Authorization: Bearer <access token>);
 * - partner:  a partner API key (x-api-key) holding every listed scope
 *             (an empty list: any partner key);
 * - operator: a signed-in member holding the operator role (granted by the
 *             user service's MARQUEE_OPERATOR_EMAILS, never by an RPC);
 * - internal: never from outside; only services call it, directly.
 *
 * The gateway only decides who may knock; each service still checks that a
 * member touches only their own account, profiles, subscription and history.
 */
export type Access =
  | { kind: "public" }
  | { kind: "internal" }
  | { kind: "operator" }
  | { kind: "restricted"; member: boolean; partnerScopes?: string[] };

const PUBLIC: Access = { kind: "public" };
const INTERNAL: Access = { kind: "internal" };
const MEMBER: Access = { kind: "restricted", member: true };
const OPERATOR: Access = { kind: "operator" };
const partner = (...scopes: string[]): Access => ({
  kind: "restricted",
  member: false,
  partnerScopes: scopes,
});
const memberOrPartner = (...scopes: string[]): Access => ({
  kind: "restricted",
  member: true,
  partnerScopes: scopes,
});

export const ACCESS_TABLE: Readonly<Record<string, Access>> = {
  // Health of the gateway itself, for load balancers and orchestrators.
  "grpc.health.v1.Health/Check": PUBLIC,
  "grpc.health.v1.Health/Watch": PUBLIC,
  // Server reflection: describes the six services without their internal RPCs (kit reflection, hideMethod).
  "grpc.reflection.v1.ServerReflection/ServerReflectionInfo": PUBLIC,
  "grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo": PUBLIC,

  // User: sign-up and sign-in are open; everything else acts on the signed-in member.
  "marquee.user.v1.UserService/RegisterUser": PUBLIC,
  "marquee.user.v1.UserService/Login": PUBLIC,
  "marquee.user.v1.UserService/RefreshSession": PUBLIC, // the refresh token is the credential
  "marquee.user.v1.UserService/Logout": PUBLIC, // the refresh token is the credential
  "marquee.user.v1.UserService/GetUser": MEMBER,
  "marquee.user.v1.UserService/UpdateUserProfile": MEMBER,
  "marquee.user.v1.UserService/ChangePassword": MEMBER,
  "marquee.user.v1.UserService/DeleteUser": MEMBER,
  "marquee.user.v1.UserService/CreateProfile": MEMBER,
  "marquee.user.v1.UserService/ListProfiles": MEMBER,
  "marquee.user.v1.UserService/UpdateProfile": MEMBER,
  "marquee.user.v1.UserService/DeleteProfile": MEMBER,
  "marquee.user.v1.UserService/SelectProfile": MEMBER,
  "marquee.user.v1.UserService/AddToMyList": MEMBER,
  "marquee.user.v1.UserService/RemoveFromMyList": MEMBER,
  "marquee.user.v1.UserService/ListMyList": MEMBER,
  "marquee.user.v1.UserService/GetSigningKeys": INTERNAL,
  "marquee.user.v1.UserService/CheckSession": INTERNAL,

  // Content: members and any partner read the catalog; operators need catalog:write.
  "marquee.content.v1.ContentService/BrowseContent": memberOrPartner(),
  "marquee.content.v1.ContentService/SearchContent": memberOrPartner(),
  "marquee.content.v1.ContentService/GetContentDetails": memberOrPartner(),
  "marquee.content.v1.ContentService/GetGenres": memberOrPartner(),
  "marquee.content.v1.ContentService/GetTrending": memberOrPartner(),
  "marquee.content.v1.ContentService/CreateContent": partner("catalog:write"),
  "marquee.content.v1.ContentService/UpdateContent": partner("catalog:write"),
  "marquee.content.v1.ContentService/PublishContent": partner("catalog:write"),
  "marquee.content.v1.ContentService/UnpublishContent": partner("catalog:write"),
  "marquee.content.v1.ContentService/AttachMedia": INTERNAL,

  // Streaming: playback and history for members; ingest for media:write partners; QoE for operators.
  "marquee.streaming.v1.StreamingService/StreamContent": MEMBER,
  "marquee.streaming.v1.StreamingService/PauseStream": MEMBER,
  "marquee.streaming.v1.StreamingService/ResumeStream": MEMBER,
  "marquee.streaming.v1.StreamingService/StopStream": MEMBER,
  "marquee.streaming.v1.StreamingService/SendHeartbeat": MEMBER,
  "marquee.streaming.v1.StreamingService/SendHeartbeats": MEMBER,
  "marquee.streaming.v1.StreamingService/RenewManifestUrl": MEMBER,
  "marquee.streaming.v1.StreamingService/GetContinueWatching": MEMBER,
  "marquee.streaming.v1.StreamingService/GetPlaybackPosition": MEMBER,
  "marquee.streaming.v1.StreamingService/ListViewingHistory": MEMBER,
  "marquee.streaming.v1.StreamingService/RemoveFromViewingHistory": MEMBER,
  "marquee.streaming.v1.StreamingService/StartIngest": partner("media:write"),
  "marquee.streaming.v1.StreamingService/WatchIngest": partner("media:write"),
  "marquee.streaming.v1.StreamingService/GetQoeSummary": OPERATOR,

  // Recommendation: members (their own profiles) and any partner.
  "marquee.recommendation.v1.RecommendationService/GetRecommendationsForUser": MEMBER,
  "marquee.recommendation.v1.RecommendationService/GetSimilarContent": memberOrPartner(),

  // Account: plans are public; subscriptions and billing are the member's own.
  "marquee.account.v1.AccountService/ListPlans": PUBLIC,
  "marquee.account.v1.AccountService/CreateSubscription": MEMBER,
  "marquee.account.v1.AccountService/UpdateSubscription": MEMBER,
  "marquee.account.v1.AccountService/CancelSubscription": MEMBER,
  "marquee.account.v1.AccountService/GetSubscriptionDetails": MEMBER,
  "marquee.account.v1.AccountService/GetBillingHistory": MEMBER,
  "marquee.account.v1.AccountService/GetEntitlement": INTERNAL,

  // Feedback: members rate for their own profiles; rating summaries are open to partners too.
  "marquee.feedback.v1.FeedbackService/RateContent": MEMBER,
  "marquee.feedback.v1.FeedbackService/RemoveRating": MEMBER,
  "marquee.feedback.v1.FeedbackService/SubmitFeedback": MEMBER,
  "marquee.feedback.v1.FeedbackService/GetContentRatings": PUBLIC,
  "marquee.feedback.v1.FeedbackService/GetUserRatings": MEMBER,
};

/** The rule for an RPC; an RPC missing from the table is refused (fail closed). */
export function accessOf(service: string, method: string): Access | undefined {
  return ACCESS_TABLE[`${service}/${method}`];
}

/** True for RPCs no outside client may call: server reflection on the gateway leaves them out. */
export function hiddenFromClients(service: string, method: string): boolean {
  const access = accessOf(service, method);
  return access === undefined || access.kind === "internal";
}
