# vipd %post: a fresh install does not enable or start vipd: /etc/vipd/vipd.conf must be edited first.
if [ -d /run/systemd/system ]; then
    systemctl --system daemon-reload >/dev/null 2>&1 || :
fi
exit 0
