# vipd %preun: on erase ($1 = 0), stop the daemon (SIGTERM: it releases its VIPs and hands them to the other
# hosts), then remove whatever vipd left on this host: VIP addresses and the nftables fence tables.
if [ "$1" -eq 0 ]; then
    if [ -d /run/systemd/system ]; then
        systemctl stop vipd.service >/dev/null 2>&1 || :
    fi
    if command -v systemctl >/dev/null 2>&1; then
        systemctl disable vipd.service >/dev/null 2>&1 || :
    fi
    /usr/bin/vipd --cleanup --config /etc/vipd/vipd.conf || \
        echo "vipd: cleanup incomplete (see above); VIP addresses a stopped vipd added expire within 3 s" >&2
fi
exit 0
