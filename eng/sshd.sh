#!/usr/bin/env bash
# Starts one OpenSSH server on loopback for the test run and prints, on standard output, the
# environment the tests read (MCPGW_TEST_SSH_*). Needs root (a test account with a password).
# Usage: eval "$(eng/sshd.sh start DIR)"; later: eng/sshd.sh stop DIR
set -Eeuo pipefail

DIR="${2:?usage: sshd.sh start|stop DIR}"
USER_NAME="mcpgw-ssh"

stop() {
  if [ -f "$DIR/sshd.pid" ]; then
    kill "$(cat "$DIR/sshd.pid")" 2>/dev/null || true
    rm -f "$DIR/sshd.pid"
  fi
}

start() {
  mkdir -p "$DIR" /run/sshd
  chmod 755 "$DIR"
  if ! id "$USER_NAME" >/dev/null 2>&1; then
    useradd --create-home --shell /bin/bash "$USER_NAME" >/dev/null
  fi
  local password
  password="pw-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
  echo "$USER_NAME:$password" | chpasswd
  rm -f "$DIR"/host_key* "$DIR"/other_host_key* "$DIR"/client_key*
  ssh-keygen -q -t ed25519 -N '' -f "$DIR/host_key"
  ssh-keygen -q -t ed25519 -N '' -f "$DIR/other_host_key"
  ssh-keygen -q -t ed25519 -N '' -f "$DIR/client_key"
  cp "$DIR/client_key.pub" "$DIR/authorized_keys"
  chmod 644 "$DIR/authorized_keys"
  chmod 600 "$DIR/client_key"
  local port
  port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')"
  cat > "$DIR/sshd_config" <<CFG
ListenAddress 127.0.0.1
Port $port
HostKey $DIR/host_key
PidFile $DIR/sshd.pid
AuthorizedKeysFile $DIR/authorized_keys
StrictModes no
UsePAM no
PasswordAuthentication yes
KbdInteractiveAuthentication no
AllowUsers $USER_NAME
MaxSessions 16
MaxStartups 64
LogLevel ERROR
CFG
  /usr/sbin/sshd -f "$DIR/sshd_config" -E "$DIR/sshd.log"
  for _ in $(seq 1 50); do
    [ -s "$DIR/sshd.pid" ] && break
    sleep 0.1
  done
  fingerprint() { ssh-keygen -l -E sha256 -f "$1" | awk '{print $2}'; }
  printf 'export MCPGW_TEST_SSH_PORT=%s\n' "$port"
  printf 'export MCPGW_TEST_SSH_USER=%s\n' "$USER_NAME"
  printf 'export MCPGW_TEST_SSH_PASSWORD=%s\n' "$password"
  printf 'export MCPGW_TEST_SSH_KEY=%s\n' "$DIR/client_key"
  printf 'export MCPGW_TEST_SSH_HOST_KEY=%s\n' "$(fingerprint "$DIR/host_key.pub")"
  printf 'export MCPGW_TEST_SSH_OTHER_HOST_KEY=%s\n' "$(fingerprint "$DIR/other_host_key.pub")"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: sshd.sh start|stop DIR" >&2; exit 2 ;;
esac
