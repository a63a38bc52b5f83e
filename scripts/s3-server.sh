#!/usr/bin/env bash
# s3-server.sh - a real S3 server on loopback for tests, benchmarks and development: a single-node
# Ceph cluster (1 monitor, 1 memstore OSD) with radosgw on 127.0.0.1:7480.
#
# Why radosgw: no S3 emulator on npm answers every call the product makes (ListParts, Abort, signed
# presigned URLs); radosgw is a production S3 implementation and starts here in a few seconds.
#
#   scripts/s3-server.sh up [PID]     start (idempotent); stdout is only the four S3_* lines, logs on stderr.
#                                     With PID (a test or bench run's process), the run holds the server.
#   scripts/s3-server.sh release PID  the run is done: when the server was started for holders and no
#                                     living holder is left, it is stopped (a server started without a
#                                     holder, by hand, is never stopped by a run)
#   scripts/s3-server.sh env          print the four S3_* lines; exit 1 when the server does not answer
#   scripts/s3-server.sh down         stop the daemons this script started (PID files) and remove the data
#
# Holders let several test runs share one server on one machine: none stops it under another.
#
# Data: ${REELAY_S3_BASE:-${TMPDIR:-/tmp}/reelay-s3}/cluster; objects live in RAM (memstore), at most
# ${REELAY_S3_MEMSTORE_BYTES:-4 GiB}. When that is full, radosgw requests hang: run `down` and `up`.
set -euo pipefail

BASE=${REELAY_S3_BASE:-${TMPDIR:-/tmp}/reelay-s3}
D=$BASE/cluster
PORT=7480
ACCESS_KEY=REELAYTESTACCESSKEY1
SECRET_KEY=reelaytestsecretkey0000000000000000000001
# memstore keeps objects in RAM, with about as much again in overhead: 4 GiB of data is ~8 GiB of RSS.
MEMSTORE_BYTES=${REELAY_S3_MEMSTORE_BYTES:-4294967296}
DAEMONS=(client.rgw.a osd.0 mon.a) # stop order (reverse of start order)
HOLDERS=$BASE/holders               # one empty file per holding process, named by its PID
export CEPH_CONF=$D/ceph.conf

log() { echo "s3-server: $*" >&2; }
die() { log "$*"; exit 1; }

info() {
  echo "S3_ENDPOINT=http://127.0.0.1:$PORT"
  echo "S3_ACCESS_KEY_ID=$ACCESS_KEY"
  echo "S3_SECRET_ACCESS_KEY=$SECRET_KEY"
  echo "S3_REGION=us-east-1"
}

alive() { [ -s "$D/run/$1.pid" ] && kill -0 "$(cat "$D/run/$1.pid")" 2>/dev/null; }
answers() { curl -fs -m 2 -o /dev/null "http://127.0.0.1:$PORT/"; }
running() { alive mon.a && alive osd.0 && alive client.rgw.a && answers; }
# A full memstore OSD still answers reads but makes every write hang: only a fresh start helps.
full() { ceph --connect-timeout 5 health 2>/dev/null | grep -qE '[0-9]+ full osd'; }

waitfor() { # waitfor <seconds> <what> <cmd...>
  local n=$1 what=$2 i
  shift 2
  for ((i = 0; i < n * 5; i++)); do "$@" >/dev/null 2>&1 && return 0; sleep 0.2; done
  log "timeout waiting for $what; logs in $D/log:"
  tail -n 20 "$D"/log/*.log >&2 2>/dev/null || true
  exit 1
}

# Living holders; the files of processes that died (a run killed outright) are removed on the way.
live_holders() {
  local f n=0
  mkdir -p "$HOLDERS"
  for f in "$HOLDERS"/*; do
    [ -e "$f" ] || continue
    if kill -0 "$(basename "$f")" 2>/dev/null; then n=$((n + 1)); else rm -f "$f"; fi
  done
  echo "$n"
}

# Every call serializes on one lock so that two test runs starting at once do not build two clusters
# in the same folder. The lock file sits in $BASE, beside the cluster folder that `down` removes.
lock() {
  mkdir -p "$BASE"
  exec 9>"$BASE/lock"
  flock -w 120 9 || die "another s3-server.sh is still running (lock $BASE/lock)"
}

check_binaries() {
  local missing=() b
  for b in ceph-mon ceph-osd radosgw radosgw-admin ceph monmaptool; do
    command -v "$b" >/dev/null || missing+=("$b")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    die "missing ${missing[*]}: install Ceph with: apt-get install -y ceph-mon ceph-osd radosgw ceph-common"
  fi
  for b in uuidgen curl flock; do
    command -v "$b" >/dev/null || die "missing $b: apt-get install -y uuid-runtime curl util-linux"
  done
}

stop() {
  local name f pid i
  for name in "${DAEMONS[@]}"; do
    f=$D/run/$name.pid
    [ -s "$f" ] || continue
    pid=$(cat "$f")
    kill -0 "$pid" 2>/dev/null || continue
    kill -TERM "$pid"
    for ((i = 0; i < 50; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
    log "stopped $name ($pid)"
  done
  rm -rf "$D"
}

write_conf() {
  cat >"$CEPH_CONF" <<EOF
[global]
fsid = $1
mon_host = [v2:127.0.0.1:3300,v1:127.0.0.1:6789]
public_addr = 127.0.0.1
cluster_addr = 127.0.0.1
auth_cluster_required = none
auth_service_required = none
auth_client_required = none
# radosgw defaults to 'secure' mode only, which auth=none cannot do: without this it hangs forever
ms_mon_client_mode = crc
mon_warn_on_insecure_global_id_reclaim = false
mon_warn_on_insecure_global_id_reclaim_allowed = false
run_dir = $D/run
log_file = $D/log/\$name.log
osd_pool_default_size = 1
osd_pool_default_min_size = 1
osd_pool_default_pg_num = 8
osd_pool_default_pgp_num = 8
osd_pool_default_pg_autoscale_mode = off
osd_crush_chooseleaf_type = 0
mon_allow_pool_size_one = true
mon_allow_pool_delete = true
mon_warn_on_pool_no_redundancy = false
mon_data_avail_warn = 2
mon_data_avail_crit = 1
pid_file = $D/run/\$name.pid
admin_socket = $D/run/\$name.asok
[mon]
mon_data = $D/\$name
# radosgw creates its pools at start-up: with the default 1 s paxos interval that alone takes 13 s
paxos_propose_interval = 0.1
paxos_min_wait = 0.01
# no mgr (not needed for S3): do not raise MGR_DOWN after 120 s
mon_mgr_mkfs_grace = 315360000
[osd]
osd_data = $D/\$name
osd_objectstore = memstore
memstore_device_bytes = $MEMSTORE_BYTES
osd_op_num_shards = 1
osd_op_num_threads_per_shard = 2
[client.rgw.a]
rgw_data = $D/rgw.a
rgw_frontends = beast endpoint=127.0.0.1:$PORT tcp_nodelay=1
rgw_thread_pool_size = 64
# Deleted, overwritten and aborted data is freed by radosgw's garbage collector, by default 2 hours
# later; memstore keeps it in RAM until then, and a full OSD blocks every write (requests hang, they
# do not fail). Collect it within seconds instead.
rgw_gc_obj_min_wait = 5
rgw_gc_processor_period = 10
rgw_gc_processor_max_time = 10
EOF
}

# Daemons get their own stdio and neither fd 3 (the caller's stdout, see `up`) nor fd 9 (the lock):
# a daemon holding the caller's pipe would make `$(s3-server.sh up)` or execFileSync wait for its
# end forever, and one holding the lock would block every later call.
start() {
  local t0=$SECONDS fsid osd_uuid osd_id
  mkdir -p "$D"/{mon.a,osd.0,rgw.a,run,log}
  fsid=$(uuidgen)
  write_conf "$fsid"

  monmaptool --create --clobber --fsid "$fsid" --addv a '[v2:127.0.0.1:3300,v1:127.0.0.1:6789]' "$D/monmap" >/dev/null
  ceph-mon --mkfs -i a --monmap "$D/monmap" </dev/null >>"$D/log/mkfs.log" 2>&1
  ceph-mon -i a </dev/null >>"$D/log/start.log" 2>&1 3>&- 9>&-
  waitfor 30 monitor ceph --connect-timeout 2 mon stat
  waitfor 5 monitor-pidfile test -s "$D/run/mon.a.pid"

  osd_uuid=$(uuidgen)
  osd_id=$(ceph osd new "$osd_uuid" 2>>"$D/log/start.log")
  [ "$osd_id" = 0 ] || die "expected OSD id 0, got '$osd_id'"
  ceph-osd -i 0 --mkfs --osd-uuid "$osd_uuid" </dev/null >>"$D/log/mkfs.log" 2>&1
  ceph-osd -i 0 </dev/null >>"$D/log/start.log" 2>&1 3>&- 9>&-
  waitfor 60 osd-up sh -c "ceph osd stat -f json | grep -q '\"num_up_osds\":1'"
  waitfor 5 osd-pidfile test -s "$D/run/osd.0.pid"

  radosgw -n client.rgw.a </dev/null >>"$D/log/start.log" 2>&1 3>&- 9>&-
  radosgw-admin user create --uid=reelay --display-name=reelay \
    --access-key="$ACCESS_KEY" --secret-key="$SECRET_KEY" </dev/null >/dev/null 2>>"$D/log/start.log"
  waitfor 60 radosgw answers
  waitfor 5 radosgw-pidfile test -s "$D/run/client.rgw.a.pid"
  log "radosgw up on 127.0.0.1:$PORT in $((SECONDS - t0)) s (data in $D)"
}

up() {
  local holder=${1:-}
  check_binaries
  lock
  if running && ! full; then
    log "already running (data in $D)"
  elif running && [ "$(live_holders)" -gt 0 ]; then
    log "the OSD is full, but another run holds the server: left running (data in $D)"
  else
    if running; then log "the OSD is full (memstore holds $MEMSTORE_BYTES bytes): starting a fresh cluster"; fi
    if ! alive client.rgw.a && answers; then
      die "port $PORT answers but not from a radosgw this script started (data in $D); stop that server first"
    fi
    stop # stale or partial state: start clean
    start
    [ -z "$holder" ] || touch "$D/started-for-holders"
  fi
  if [ -n "$holder" ]; then
    mkdir -p "$HOLDERS"
    touch "$HOLDERS/$holder"
  fi
}

release() {
  local holder=$1
  lock
  rm -f "$HOLDERS/$holder"
  if [ "$(live_holders)" -gt 0 ]; then
    log "still held by another run: left running"
  elif [ -e "$D/started-for-holders" ]; then
    stop
  fi
}

cmd=${1:-}
case "$cmd" in
  up)
    # Only the S3_* lines may reach stdout (the jest global set-up parses it): everything else to stderr.
    exec 3>&1 1>&2
    up "${2:-}"
    info >&3
    ;;
  release)
    [ -n "${2:-}" ] || { echo "usage: $0 release PID" >&2; exit 2; }
    release "$2"
    ;;
  env)
    info
    running || die "not running: start it with scripts/s3-server.sh up"
    ;;
  down)
    lock
    stop
    ;;
  *)
    echo "usage: $0 up [PID] | release PID | env | down" >&2
    exit 2
    ;;
esac
