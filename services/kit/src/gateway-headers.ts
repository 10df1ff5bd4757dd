/**
 * Headers the gateway sets on every call it forwards, from what it
 * authenticated, beside the caller (CALLER_HEADER). It never passes on a
 * client's own; services trust them as they trust the caller header.
 */

/** The client's network address: sign-in throttling per address (user service). */
export const CLIENT_IP_HEADER = "x-marquee-client-ip";

/** The session of the access token the caller presented: SelectProfile (user service). */
export const SESSION_HEADER = "x-marquee-session";

/**
 * The member's country (ISO 3166-1 alpha-2) from their access token: a
 * playback counts towards that country's trending (streaming, then content).
 */
export const COUNTRY_HEADER = "x-marquee-country";
