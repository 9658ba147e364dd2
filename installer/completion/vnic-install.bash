# SPDX-License-Identifier: GPL-2.0-or-later
# bash completion for vnic-install. The verbs and options are read from `vnic-install --help`
# (and `vnic-install VERB --help` for the options one verb takes) each time, so this file never
# falls behind the program.

_vnic_install_verbs() {
	"$1" --help 2>/dev/null | awk '/^Verbs:/ { on = 1; next } on && /^$/ { exit } on { print $1 }'
}

# The options of `vnic-install [VERB] --help`: "-k, --kernel KVER" gives -k and --kernel.
_vnic_install_options() {
	local prog=$1 verb=$2
	"$prog" ${verb:+"$verb"} --help 2>/dev/null |
		awk '/^Options/ { on = 1; next } on && /^ *-/ {
			for (i = 1; i <= NF; i++) {
				w = $i; sub(/,$/, "", w)
				if (w ~ /^-/) print w; else break
			}
		}'
}

# The value OPTION takes, as `--help` shows it ("--root DIR", "-k, --kernel KVER"), or nothing.
_vnic_install_option_arg() {
	"$1" --help 2>/dev/null | awk -v o="$2" '{
		for (i = 1; i < NF; i++) {
			w = $i; sub(/,$/, "", w)
			if (w != o) continue
			for (j = i + 1; j <= NF && $j ~ /^-/; j++)
				;
			if ($j ~ /^[A-Z]+$/) print $j
			exit
		}
	}'
}

_vnic_install() {
	local cur prev prog verb= arg i w
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD - 1]}
	prog=${COMP_WORDS[0]}

	# The verb: the first word that is neither an option nor an option's value.
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		case $w in
		--*=*) ;;
		-*) [ -n "$(_vnic_install_option_arg "$prog" "$w")" ] && i=$((i + 1)) ;;
		*) verb=$w; break ;;
		esac
	done

	if [[ $prev == -* ]] && [[ $cur != -* ]]; then
		arg=$(_vnic_install_option_arg "$prog" "$prev")
		case $arg in
		DIR) mapfile -t COMPREPLY < <(compgen -d -- "$cur"); return ;;
		FILE) mapfile -t COMPREPLY < <(compgen -f -- "$cur"); return ;;
		KVER) mapfile -t COMPREPLY < <(compgen -W "$(ls /lib/modules 2>/dev/null)" -- "$cur"); return ;;
		IF) mapfile -t COMPREPLY < <(compgen -W "$(ls /sys/class/net 2>/dev/null)" -- "$cur"); return ;;
		HOW) mapfile -t COMPREPLY < <(compgen -W "carrier address gateway ping: peer: tcp:" -- "$cur"); return ;;
		?*) COMPREPLY=(); return ;;
		esac
	fi

	if [[ $cur == -* ]]; then
		mapfile -t COMPREPLY < <(compgen -W "$(_vnic_install_options "$prog" "$verb")" -- "$cur")
	elif [ -z "$verb" ]; then
		mapfile -t COMPREPLY < <(compgen -W "$(_vnic_install_verbs "$prog")" -- "$cur")
	elif [ "$verb" = help ]; then
		mapfile -t COMPREPLY < <(compgen -W "$(_vnic_install_verbs "$prog")" -- "$cur")
	elif [ "$verb" = driver ] && [ "$i" -eq $((COMP_CWORD - 1)) ]; then
		mapfile -t COMPREPLY < <(compgen -W "install remove status" -- "$cur")
	elif [ "$verb" = plan ] && [ "$i" -eq $((COMP_CWORD - 1)) ]; then
		mapfile -t COMPREPLY < <(compgen -W "swap prepare" -- "$cur")
	fi
}
complete -F _vnic_install vnic-install
