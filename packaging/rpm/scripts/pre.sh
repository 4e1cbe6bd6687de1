# vipd %pre: the daemon's system user and group, needed before files owned by them are unpacked. Members of the
# group vipd may also read through the control socket (vipctl status; control.group in vipd.conf).
getent group vipd >/dev/null || groupadd -r vipd
getent passwd vipd >/dev/null || \
    useradd -r -g vipd -d /var/lib/vipd -M -s /sbin/nologin -c "vipd virtual-IP failover daemon" vipd
exit 0
