package io.airlock.core;

/**
 * A login user baked into a template.
 *
 * @param name user and primary group name
 * @param uid user id, also used as the primary group id
 * @param home home directory, created and owned by the user
 * @param sudo whether the user gets passwordless sudo
 */
public record UserSpec(String name, int uid, String home, boolean sudo) {
    public UserSpec {
        if (!name.matches("[a-z_][a-z0-9_-]{0,31}")) {
            throw new InvalidRequestException("users.name", "'" + name + "' is not a valid user name");
        }
        if (uid < 1 || uid > 65533) {
            throw new InvalidRequestException("users.uid", "uid " + uid + " is outside 1..65533");
        }
        if (!home.startsWith("/")) {
            throw new InvalidRequestException("users.home", "home '" + home + "' must be absolute");
        }
    }
}
