#!/bin/sh
# Builds the Debian 12 test host image for the provisioning end-to-end tests:
#   debian-host.sh TAG MIRROR
# debootstrap (minbase) from MIRROR, with sshd and Docker inside; imported as TAG. The test host
# container runs /usr/local/sbin/berth-test-host-init: fresh SSH host keys, sshd, then dockerd.
# The image's tag carries a hash of this file: change the recipe and the image is rebuilt.
set -eu
tag=$1
mirror=$2
work=$(mktemp -d /tmp/berth-test-debian-XXXXXX)
trap 'rm -rf "$work"' EXIT
root=$work/root
debootstrap --variant=minbase \
  --include=openssh-server,docker.io,iproute2,iptables,ca-certificates,sudo,procps,curl \
  bookworm "$root" "$mirror" >"$work/debootstrap.log" 2>&1 || { tail -n 40 "$work/debootstrap.log" >&2; exit 1; }

# every container makes its own host keys at start
rm -f "$root"/etc/ssh/ssh_host_*
mkdir -p "$root/root/.ssh" "$root/run/sshd"
chmod 0700 "$root/root/.ssh"
cat >"$root/etc/ssh/sshd_config.d/berth-test.conf" <<'CONF'
PermitRootLogin prohibit-password
PasswordAuthentication no
UseDNS no
CONF
cat >"$root/usr/local/sbin/berth-test-host-init" <<'INIT'
#!/bin/sh
# PID 1 of a test host: sshd in the background, dockerd in the foreground (its data on a volume).
ssh-keygen -A >/dev/null
mkdir -p /run/sshd
/usr/sbin/sshd -E /var/log/sshd.log
exec dockerd --host=unix:///var/run/docker.sock --data-root=/var/lib/docker >/var/log/dockerd.log 2>&1
INIT
chmod 0755 "$root/usr/local/sbin/berth-test-host-init"
# smaller image: no package caches, docs or lists
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* "$root"/usr/share/doc/* "$root"/usr/share/man/*
tar -C "$root" --numeric-owner -c . | docker import \
  --change 'CMD ["/usr/local/sbin/berth-test-host-init"]' \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' - "$tag" >/dev/null
echo "$tag"
