import * as v from "valibot";
import { ROLES } from "../verify/roles.js";

/**
 * The field schemas every request body, query and CLI argument is validated with, written once.
 * Every text field must be well-formed Unicode: a lone surrogate would reach the password
 * hasher or the database as U+FFFD, so two different passwords would verify as one.
 */

/** Long enough for any real value; stops megabyte strings before any work is done on them. */
export const MAX_TEXT_LENGTH = 1024;
export const MAX_NAME_LENGTH = 200;

/** Refuses a string holding a lone surrogate (UTF-16 that no UTF-8 encoding can carry). */
export const wellFormed = v.check<string, string>((s) => s.isWellFormed(), "must be well-formed Unicode text");

/** A required, bounded text field: `password`, `username`, `refresh_token`, … */
export const RequiredText = v.pipe(
  v.string("is required"),
  wellFormed,
  v.maxLength(MAX_TEXT_LENGTH, "is too long"),
);

/** An optional, bounded text field: `scope`, `client_id`, … */
export const OptionalText = v.optional(
  v.pipe(v.string("must be a string"), wellFormed, v.maxLength(MAX_TEXT_LENGTH, "is too long")),
);

/**
 * A display name: trimmed, at most 200 characters; `""` and `null` both clear it (`null`),
 * and an absent one stays `undefined` ("leave it as it is").
 */
export const OptionalName = v.optional(
  v.pipe(
    v.nullable(v.pipe(v.string("must be a string"), wellFormed, v.trim(), v.maxLength(MAX_NAME_LENGTH, `must be at most ${MAX_NAME_LENGTH} characters`))),
    v.transform((name) => (name === "" ? null : name)),
  ),
);

/** One of `viewer`, `user`, `admin`. */
export const RoleField = v.picklist(ROLES, `must be one of: ${ROLES.join(", ")}`);
