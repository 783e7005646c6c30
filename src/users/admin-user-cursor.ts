import { invalidRequest } from "../errors.js";
import { UUID_PATTERN } from "../ids.js";

/**
 * The opaque `next_cursor` of the admin user list: base64url of the last id
 * on the page. Opaque so clients do not build on the id order; not signed,
 * because it only says where to resume, never what the caller may see.
 *
 * @example
 * decodeUserCursor(encodeUserCursor(user.id)) === user.id
 */
export function encodeUserCursor(lastId: string): string {
  return btoa(lastId).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** The id a cursor stands for; 400 `invalid_request` for anything we did not issue. */
export function decodeUserCursor(cursor: string): string {
  let id = "";
  if (/^[A-Za-z0-9_-]{1,64}$/.test(cursor)) {
    try {
      id = atob(cursor.replace(/-/g, "+").replace(/_/g, "/"));
    } catch {
      id = "";
    }
  }
  if (!UUID_PATTERN.test(id)) throw invalidRequest("The cursor is invalid.", [{ path: "cursor", message: "is invalid" }]);
  return id;
}
