# vipd %postun: an upgrade ($1 >= 1) restarts a running daemon with the new code; an erase ($1 = 0) removes the
# Raft state, as a Debian purge does (RPM has no separate purge). The vipd user stays.
if [ -d /run/systemd/system ]; then
    systemctl --system daemon-reload >/dev/null 2>&1 || :
fi
if [ "$1" -ge 1 ]; then
    if [ -d /run/systemd/system ]; then
        systemctl try-restart vipd.service >/dev/null 2>&1 || :
    fi
else
    rm -rf /var/lib/vipd /run/vipd
fi
exit 0
