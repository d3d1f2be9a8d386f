# The body of the Patchloop agent installer. The server serves it at /install.sh after a header
# that sets PATCHLOOP_SERVER, AGENT_VERSION and, per architecture, ARTIFACT_<ARCH> and
# SHA256_<ARCH> (packages/server/src/services/agent-install.ts):
#
#   curl -fsSL https://SERVER/install.sh | sudo sh -s -- --enroll-token TOKEN [--tags a,b]
#        [--server URL] [--no-start] [--no-enroll]
#   curl -fsSL https://SERVER/install.sh | sudo sh -s -- --uninstall
#
# It downloads the agent (the tarball of packaging/build-agent.js), checks its SHA-256, installs it
# in /opt/patchloop-agent with the command /usr/bin/patchloop-agent and the systemd unit
# patchloop-agent.service, enrolls the machine (the agent's credential lands in
# /var/lib/patchloop-agent, mode 0600) and starts the unit when systemd runs (not in a chroot,
# not with --no-start). --no-enroll keeps the token in /etc/patchloop-agent.env (mode 0600) for
# the unit's first start instead (machine images). Commands get their arguments as separate
# words; every value is checked against a strict character set before use. Everything runs from
# main(), called on the last line: a download cut short runs nothing, and no command can read the
# rest of the script from standard input (`curl … | sh`).
set -eu

PREFIX=/opt/patchloop-agent
BIN=/usr/bin/patchloop-agent
UNIT=/etc/systemd/system/patchloop-agent.service
ENV_FILE=/etc/patchloop-agent.env
STATE_DIR=/var/lib/patchloop-agent

say() { printf 'patchloop-agent: %s\n' "$*" >&2; }
die() {
  say "error: $*"
  exit 1
}

usage() {
  cat <<EOF
Installs the Patchloop agent ${AGENT_VERSION} for the server ${PATCHLOOP_SERVER}.
usage: sh install.sh --enroll-token TOKEN [--tags a,b] [--server URL] [--no-start] [--no-enroll]
       sh install.sh --uninstall
  --enroll-token TOKEN  the server's enrollment secret (console: Settings, Enrollment)
  --tags a,b            tags for this host, applied at enrollment
  --server URL          the server's URL as this machine reaches it (default ${PATCHLOOP_SERVER})
  --no-start            install and enroll, but do not enable or start the unit
  --no-enroll           do not enroll now: keep the token in ${ENV_FILE} for the unit's first start
  --uninstall           stop and remove the agent, its unit, configuration and state
EOF
}

systemd_running() { [ -d /run/systemd/system ]; }

download() {
  if command -v curl >/dev/null 2>&1; then
    curl -fsSL --retry 3 -o "$2" "$1"
  elif command -v wget >/dev/null 2>&1; then
    wget -q -O "$2" "$1"
  elif [ -x /usr/lib/apt/apt-helper ]; then
    # Debian and Ubuntu minimal systems have neither curl nor wget, but apt can download.
    /usr/lib/apt/apt-helper -qq download-file "$1" "$2" >/dev/null
  else
    die 'needs curl or wget to download the agent'
  fi
}

sha256_of() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$1" | cut -d' ' -f1
  elif command -v shasum >/dev/null 2>&1; then
    shasum -a 256 "$1" | cut -d' ' -f1
  else
    openssl dgst -sha256 -r "$1" | cut -d' ' -f1
  fi
}

main() {
  token=''
  tags=''
  start=yes
  enroll=yes
  action=install
  while [ "$#" -gt 0 ]; do
    case "$1" in
      --enroll-token | --tags | --server)
        [ "$#" -ge 2 ] || die "$1 needs a value (see --help)"
        case "$1" in
          --enroll-token) token=$2 ;;
          --tags) tags=$2 ;;
          --server) PATCHLOOP_SERVER=$2 ;;
        esac
        shift 2
        ;;
      --enroll-token=*) token=${1#*=} && shift ;;
      --tags=*) tags=${1#*=} && shift ;;
      --server=*) PATCHLOOP_SERVER=${1#*=} && shift ;;
      --no-start) start=no && shift ;;
      --no-enroll) enroll=no && shift ;;
      --uninstall) action=uninstall && shift ;;
      -h | --help) usage && exit 0 ;;
      *) die "unknown argument: $1 (see --help)" ;;
    esac
  done

  [ "$(id -u)" = 0 ] || die 'must run as root: curl -fsSL .../install.sh | sudo sh -s -- ...'

  if [ "$action" = uninstall ]; then
    if [ -f /var/lib/dpkg/info/patchloop-agent.list ]; then
      die 'the agent was installed from the .deb: remove it with apt-get purge patchloop-agent'
    fi
    if command -v rpm >/dev/null 2>&1 && rpm -q --quiet patchloop-agent 2>/dev/null; then
      die 'the agent was installed from the .rpm: remove it with dnf remove patchloop-agent'
    fi
    if systemd_running; then
      systemctl disable --now patchloop-agent.service 2>/dev/null || true
    fi
    rm -f -- "$UNIT" "$BIN" "$ENV_FILE"
    rm -rf -- "$PREFIX" "$STATE_DIR"
    if systemd_running; then systemctl daemon-reload || true; fi
    say 'removed. The host stays in the server until you retire it there.'
    exit 0
  fi

  # The values that reach files and commands: a strict character set each.
  case "$PATCHLOOP_SERVER" in
    http://?* | https://?*) ;;
    *) die "the server URL must start with http:// or https://, got '$PATCHLOOP_SERVER'" ;;
  esac
  case "$PATCHLOOP_SERVER" in
    *[!]A-Za-z0-9.:/_~%[-]*) die "the server URL has characters outside A-Z a-z 0-9 . : / _ ~ % [ ] -" ;;
  esac
  PATCHLOOP_SERVER=${PATCHLOOP_SERVER%/}
  [ -n "$token" ] || die 'give the enrollment secret: --enroll-token TOKEN (console: Settings, Enrollment)'
  case "$token" in
    *[!A-Za-z0-9._~+/=-]*) die 'the enrollment token has characters outside A-Z a-z 0-9 . _ ~ + / = -' ;;
  esac
  [ "${#token}" -ge 16 ] || die 'the enrollment token is shorter than 16 characters'
  case "$tags" in
    *[!A-Za-z0-9_.:/,-]*) die 'tags are words of A-Z a-z 0-9 _ . : / - separated by commas' ;;
  esac

  [ "$(uname -s)" = Linux ] || die "the agent runs on Linux, not $(uname -s)"
  case "$(uname -m)" in
    x86_64 | amd64) artifact=${ARTIFACT_X64-} sha=${SHA256_X64-} loader=/lib64/ld-linux-x86-64.so.2 ;;
    aarch64 | arm64) artifact=${ARTIFACT_ARM64-} sha=${SHA256_ARM64-} loader=/lib/ld-linux-aarch64.so.1 ;;
    *) die "no agent for this machine's architecture ($(uname -m))" ;;
  esac
  [ -n "$artifact" ] || die "the server has no agent built for $(uname -m) (npm run build:agent on that architecture)"
  [ -e "$loader" ] || die "the agent's runtime needs glibc 2.28 or later ($loader is missing; musl systems such as Alpine are not supported)"
  if [ -f /var/lib/dpkg/info/patchloop-agent.list ]; then
    die 'the agent is installed from the .deb here: configure /etc/patchloop-agent.env instead'
  fi

  tmp=$(mktemp -d)
  trap 'rm -rf -- "$tmp"' EXIT
  trap 'exit 1' HUP INT TERM

  say "downloading ${PATCHLOOP_SERVER}/downloads/${artifact}"
  download "${PATCHLOOP_SERVER}/downloads/${artifact}" "$tmp/agent.tar.gz" || die "could not download ${artifact}"
  got=$(sha256_of "$tmp/agent.tar.gz")
  [ "$got" = "$sha" ] || die "${artifact} has SHA-256 ${got}, the server announced ${sha}: not installed"
  mkdir "$tmp/x"
  tar -xzf "$tmp/agent.tar.gz" -C "$tmp/x" || die "could not unpack ${artifact}"
  [ -x "$tmp/x/patchloop-agent/node" ] || die "${artifact} holds no patchloop-agent/node"
  "$tmp/x/patchloop-agent/node" --version >/dev/null || die "the agent's Node runtime does not run here"

  # Replace the installation in one rename (a running agent keeps its open files).
  rm -rf -- "$PREFIX.new" "$PREFIX.old"
  mkdir -p "$(dirname "$PREFIX")"
  cp -R "$tmp/x/patchloop-agent" "$PREFIX.new"
  chown -R 0:0 "$PREFIX.new"
  if [ -d "$PREFIX" ]; then mv -- "$PREFIX" "$PREFIX.old"; fi
  mv -- "$PREFIX.new" "$PREFIX"
  rm -rf -- "$PREFIX.old"
  ln -sf "$PREFIX/patchloop-agent" "$BIN"
  mkdir -p "$(dirname "$UNIT")"
  cp -- "$PREFIX/patchloop-agent.service" "$UNIT"
  chmod 0644 "$UNIT"
  mkdir -p "$STATE_DIR"
  chmod 0700 "$STATE_DIR"

  # The configuration the unit reads: the server, and the token only when enrollment is deferred.
  umask 077
  {
    echo '# Patchloop agent configuration, written by the installer (KEY=value, no quotes).'
    echo "PATCHLOOP_SERVER=${PATCHLOOP_SERVER}"
    if [ "$enroll" = no ]; then
      echo '# Used once, at the first check-in; remove after that.'
      echo "PATCHLOOP_ENROLL_SECRET=${token}"
    fi
  } >"$ENV_FILE.new"
  chmod 0600 "$ENV_FILE.new"
  mv -- "$ENV_FILE.new" "$ENV_FILE"
  say "installed ${AGENT_VERSION} in ${PREFIX} (${BIN}, ${UNIT}, ${ENV_FILE})"

  if [ "$enroll" = yes ]; then
    set -- --state-dir "$STATE_DIR" --once
    if [ -n "$tags" ]; then set -- "$@" --tags "$tags"; fi
    # The secret goes in the environment, never in the argument list (ps shows that to everyone).
    if ! env PATCHLOOP_SERVER="$PATCHLOOP_SERVER" PATCHLOOP_ENROLL_SECRET="$token" "$BIN" "$@" </dev/null; then
      die "the agent could not enroll with ${PATCHLOOP_SERVER} (above: why). Fix it and run the installer again."
    fi
  fi

  if [ "$start" = yes ] && systemd_running; then
    systemctl daemon-reload
    systemctl enable patchloop-agent.service
    systemctl restart patchloop-agent.service
    say 'started: systemctl status patchloop-agent'
  else
    say 'not started (no systemd running here, or --no-start): systemctl enable --now patchloop-agent'
  fi
}

main "$@"
