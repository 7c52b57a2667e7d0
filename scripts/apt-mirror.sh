#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# scripts/apt-mirror.sh mirror            the Debian archive this machine's
#                                         apt uses (for debootstrap)
# scripts/apt-mirror.sh sources CODENAME  sources.list lines for CODENAME:
#                                         this machine's Debian suites (main,
#                                         -updates, -security) with its own
#                                         codename replaced by CODENAME
# scripts/apt-mirror.sh proxy             apt's HTTP proxy, if one is set
#
# Everything comes from apt's configuration (apt-get indextargets reads
# /etc/apt/sources.list and sources.list.d/), so a local mirror or proxy is
# honoured and no host name is written into this repository. Fails, saying
# so, when apt knows no Debian archive. SYSCHAIN_DEBIAN_MIRROR=URL
# overrides the mirror.
set -euo pipefail

die() { echo "apt-mirror.sh: $*" >&2; exit 1; }

# "SITE RELEASE COMPONENT" for every Debian index apt has configured.
debian_indexes() {
	apt-get indextargets --format '$(SITE) $(RELEASE) $(COMPONENT) $(ORIGIN)' \
		'Identifier: Packages' 2>/dev/null |
		awk '$4 == "Debian" && $3 == "main" { print $1, $2, $3 }' | awk '!seen[$0]++'
}

# The codename of the machine's main suite: the release with no suffix.
host_codename() {
	debian_indexes | awk '$2 !~ /-/ { print $2; exit }'
}

mirror() {
	if [[ -n ${SYSCHAIN_DEBIAN_MIRROR:-} ]]; then
		echo "$SYSCHAIN_DEBIAN_MIRROR"
		return
	fi
	local m
	m=$(debian_indexes | awk '$2 !~ /-/ { print $1; exit }')
	[[ -n $m ]] || die "apt has no Debian archive configured (main component of the" \
		"main suite); run apt-get update, or set SYSCHAIN_DEBIAN_MIRROR"
	echo "$m"
}

case ${1:-} in
mirror) mirror ;;
sources)
	[[ -n ${2:-} ]] || die "usage: $0 sources CODENAME"
	host=$(host_codename)
	if [[ -n ${SYSCHAIN_DEBIAN_MIRROR:-} || -z $host ]]; then
		echo "deb $(mirror) $2 main"
	else
		debian_indexes | while read -r site rel comp; do
			echo "deb $site ${rel/#$host/$2} $comp"
		done
	fi
	;;
proxy)
	eval "$(apt-config shell p Acquire::http::Proxy)"
	[[ -z ${p:-} || ${p:-} == DIRECT ]] || echo "$p"
	;;
*) echo "usage: $0 mirror | sources CODENAME | proxy" >&2; exit 2 ;;
esac
