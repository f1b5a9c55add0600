package io.airlock.core;

/**
 * The built-in templates' {@code /etc/profile}. It behaves like Debian's: the same PATH for root
 * and for other users, the same prompt set-up, and {@code /etc/profile.d} sourced. The one
 * difference is that bash's {@code $EUID} is used where Debian forks {@code id -u}. Every
 * command the E2B SDKs run is a login shell ({@code bash -l -c}), and that fork cost 1.4 ms of
 * each one. Shells without {@code EUID}, such as dash, still ask {@code id}.
 */
final class LoginProfile {
    private LoginProfile() {}

    static final String TEXT = """
            # /etc/profile: read by login shells (bash -l, sh -l). Debian's, except that the user id
            # comes from bash's $EUID where it exists instead of a fork of id(1).

            if [ "${EUID:-$(id -u)}" -eq 0 ]; then
              PATH="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
            else
              PATH="/usr/local/bin:/usr/bin:/bin:/usr/local/games:/usr/games"
            fi
            export PATH

            if [ "${PS1-}" ]; then
              if [ "${BASH-}" ] && [ "$BASH" != "/bin/sh" ]; then
                if [ -f /etc/bash.bashrc ]; then
                  . /etc/bash.bashrc
                fi
              else
                if [ "${EUID:-$(id -u)}" -eq 0 ]; then
                  PS1='# '
                else
                  PS1='$ '
                fi
              fi
            fi

            if [ -d /etc/profile.d ]; then
              for i in /etc/profile.d/*.sh; do
                if [ -r $i ]; then
                  . $i
                fi
              done
              unset i
            fi
            """;
}
