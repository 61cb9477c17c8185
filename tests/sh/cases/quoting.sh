# Quoting: single, double, backslash; quote removal; empty arguments.
x='a  b'
printf "%s\n" "$x" '$x' \$x "\$x" "a\\b" 'a\b' a\ b; echo $x
set -- "" a "" b
echo $#
for a in "$@"; do printf '[%s]' "$a"; done; echo
printf '[%s]' $x; echo
printf '[%s]' "x"'y'z"$x"; echo
echo "nested $(echo "in $(echo deep)")"
echo 'a"b' "c'd" "e\"f"
echo \# not a comment # a comment
echo a#b
set --; for a in "${@}" "$@"; do echo "never [$a]"; done
set -- ""; for a in "${@}"; do echo "one empty [$a]"; done
set -- a b; printf '<%s>' x"$@"y; echo
