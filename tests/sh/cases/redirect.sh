# Redirections and pipelines.
cd "${TMPDIR:-/tmp}" || exit 1
d=sh-redir-$$; mkdir $d && cd $d || exit 1
echo one > f; echo two >> f; cat f
cat < f | wc -l
echo err 2> e >&2; cat e
ls nonexistent-file 2>/dev/null; echo status $?
{ echo out; echo err >&2; } > both 2>&1; sort both
exec 3> fd3; echo via3 >&3; exec 3>&-; cat fd3
exec 4< f; read l <&4; echo "fd4: $l"; exec 4<&-
echo x | { read y; echo "y=$y"; }
printf 'a\nb\nc\n' | sort -r | head -2 | tail -1
echo 1 | cat | cat | cat | cat | cat | cat | cat | cat | cat | cat
cat <<-EOT
	tab stripped
	EOT
cat <<'Q'
$HOME not expanded `x`
Q
v=val; cat <<E
v=$v $(echo sub) \$v
E
: > empty; wc -c < empty
echo a > x; echo b >> x; while read l; do echo "l=$l"; done < x
set -C; echo no 2>/dev/null > f || echo noclobber; set +C; echo yes >| f; cat f
cd ..; rm -r $d
true | false; echo pipe $?; false | true; echo pipe $?
