# More built-ins and expansions; where shells word messages differently,
# only the statuses are printed.
cd "${TMPDIR:-/tmp}" || exit 1
d=sh-more-$$; mkdir $d && cd $d || exit 1
echo data > file; mkdir dir; ln -s file link; : > empty; chmod 644 file
t() { if test "$@"; then echo "test $* : yes"; else echo "test $* : no ($?)"; fi; }
t -e file; t -f dir; t -d dir; t -s file; t -s empty; t -L link; t -h file
t -r file; t -w file; t -x file; t -x dir; t -c /dev/null; t -p file; t -b file
t file -ef link; t file -ef dir; t 1 -ne 2; t 2 -le 2; t 3 -ge 4; t 5 -lt 4
t a \< b; t b \> a; t ! a; t \( a = b \) -o x; t -n ""; t -z ""; t abc; t ""
t 1 -eq x 2>/dev/null; t a = 2>/dev/null; t \( a 2>/dev/null
touch -d '2000-01-01' old 2>/dev/null && { t file -nt old; t old -ot file; }
printf '%c|%o|%X|%i|%5d|%-5d|%+d|%05.1f\n' abc 8 255 -3 42 42 7 2>/dev/null
printf '%*d|%.*s|\n' 4 2 2 abcdef
printf 'a\\tb\\0101\\n'
printf '%b|' 'x\ny' 'no\cstop'; echo
printf '%d\n' 12abc 2>/dev/null; echo "printf-bad $?"
printf '%%|%s\n'
echo -n a; echo -n b; echo
type cd >/dev/null; echo "type $?"; type no-such-xyz >/dev/null 2>&1; echo "type-missing $(( $? > 0 ))"
command -V if >/dev/null; echo "command-V $?"
f() { :; }; command -v f; unset -f f; command -v f || echo unset-f
umask 077; umask; umask 022
x=1; unset x; echo "${x-gone}"
readonly rx=1; (unset rx) 2>/dev/null; echo "unset-readonly $(( $? > 0 ))"
( exit 300 ); echo "exit-wrap $?"
(shift 5) 2>/dev/null; echo "shift-too-far $(( $? > 0 ))"
set -- 1 2 3 4 5 6 7 8 9 10 11; echo "${10} ${11} $#"
set -- ; echo "none: $# [$*] [$@]"
set -u; (echo "$undefined_var") 2>/dev/null || echo "set-u stops"; set +u
set -f; echo *; set +f
set -o noglob; echo f*; set +o noglob; echo f*
echo "${x:=default} $x" "${y=}" "[${y}]"
(: ${z?must be set}) 2>/dev/null || echo "question-mark stops"
v=abcabc; echo ${v#*b} ${v##*b} ${v%b*} ${v%%b*} ${v#x} "${v%"c"}"
echo ${#v} ${#1} $((${#v} * 2))
echo ~ ~/x "~" ~nosuchuser
IFS=; v='a b'; set -- $v; echo $#; unset IFS
w='  x   y  '; set -- $w; echo $#
p=/a/b/c; echo ${p##*/} ${p%/*}
echo $(( 5 > 3 ? 10 : 20 )) $(( -(3) )) $(( 1 - -1 ))
j=5; : $(( j *= 2 )); echo $j
echo "$(cd dir && pwd | sed 's|.*/||')"
for i in 1 2 3; do case $i in 2) continue;; esac; echo loop$i; done
while false; do :; done; echo while-status $?
until true; do :; done; echo until-status $?
for i in; do echo none; done; echo for-empty $?
if false; then :; fi; echo if-false-status $?
cd ..; rm -r $d
