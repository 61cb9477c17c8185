# Built-ins.
export E1=exported; sh_var=local
env | grep '^E1='; env | grep -c '^sh_var=' ; sh -c 'echo child sees "[$E1]" "[$sh_var]"'
A=1 sh -c 'echo temp $A'; echo "after [$A]"
readonly R=1; (R=2) 2>/dev/null || echo readonly-ok
unset sh_var; echo "[${sh_var-unset}]"
set -- a b c d; shift 2; echo $@; shift; echo $#
eval 'echo eval $1'; cmd='echo "x y"'; eval "$cmd"
x=5; eval "x=\$((x+1))"; echo $x
type cd | head -1; command -v cd; command -v sh >/dev/null && echo found-sh
command -v no-such-cmd || echo cv failed
printf '%s-%d-%x-%5s|%-3s|%03d\n' s 42 255 r l 7
printf '%s\n' a b c
printf 'no newline'; echo
printf '%b\n' 'a\tb'
echo -n n; echo
test 1 -eq 1 && echo eq; [ a = a ] && echo streq; [ a != b ] && echo strne
[ -z "" ] && echo z; [ -n x ] && echo n; [ ! -e /nonexistent ] && echo noexist
[ 3 -gt 2 -a 1 -lt 2 ] && echo and; [ 1 -gt 2 -o 1 -lt 2 ] && echo or
[ \( 1 -eq 1 \) ] && echo paren; [ -d / ] && echo isdir; [ -f / ] || echo notfile
test; echo test-empty $?
(trap 'echo trapped EXIT' EXIT; echo in-subshell)
trap 'echo on-exit' EXIT
f() { return 3; }; f; echo ret $?
umask 022; umask
cd /; pwd; cd - >/dev/null; 
read a b <<E
one two three
E
echo "a=$a b=$b"
IFS=: read p q <<E
x:y
E
echo "$p $q"
: ; echo colon $?
sh -c 'exit 3'; echo exit $?
sh -c 'exit'; echo exit $?
