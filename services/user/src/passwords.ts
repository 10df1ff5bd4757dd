import { hash, verify } from "@node-rs/argon2";

/**
 * Password hashing with argon2id at the OWASP Password Storage Cheat Sheet's
 * first recommendation: 19 MiB of memory, 2 iterations, 1 lane. The hash
 * string carries its own parameters, so raising them later keeps old hashes
 * verifiable. Passwords never leave this file in any other form.
 */
export const ARGON2ID_PARAMS = {
  /** Algorithm.Argon2id (a const enum in the package's typings, so spelled out here). */
  algorithm: 2,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
} as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2ID_PARAMS);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

let dummy: Promise<string> | undefined;

/**
 * Spends the time of one verification when there is no account to verify
 * against, so a login for an unknown e-mail takes as long as a wrong password
 * and the answer time does not reveal which e-mails are registered.
 */
export async function verifyAgainstNothing(password: string): Promise<false> {
  dummy ??= hashPassword("marquee-dummy-password-for-timing");
  await verifyPassword(await dummy, password);
  return false;
}
