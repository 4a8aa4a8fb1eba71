#!/bin/sh
# fake-ssh.sh [SSH OPTIONS] HOST [--] COMMAND...
# Stands in for ssh in the test of tcpstate-parallel -S (GNU parallel's --ssh): runs COMMAND
# on this machine, as ssh would on HOST, in a login folder of HOST's own,
# $FAKE_SSH_HOMES/HOST (HOME too), so that the files GNU parallel copies to a "host" (with
# rsync, which it runs through this same command) and back really travel. No ssh server or
# key is needed, and the multi-host code path runs as it would across machines.
set -eu
while [ $# -gt 0 ]; do
    case $1 in
        -[BbcDEeFIiJLlmOoPpQRSWw]) shift 2 ;;    # ssh options that take a value
        -*) shift ;;
        *) break ;;
    esac
done
host=$1
shift
[ "${1:-}" != -- ] || shift
home=${FAKE_SSH_HOMES:?FAKE_SSH_HOMES must name the folder of the fake hosts}/$host
mkdir -p "$home"
cd "$home"
# ssh hands the remote shell the words joined by spaces
HOME=$home exec sh -c "$*"
