# Built-ins given bad arguments: each fails (status > 0) and the script goes on.
s() { echo "$1 $(( $2 > 0 ))"; }
(set -Q) 2>/dev/null; s set-bad-option $?
(set -o nosuchoption) 2>/dev/null; s set-bad-long $?
(export 1bad=x) 2>/dev/null; s export-bad-name $?
(umask 999) 2>/dev/null; s umask-bad $?
(trap 'echo x' NOSUCHSIG) 2>/dev/null; s trap-bad-signal $?
(wait notapid) 2>/dev/null; s wait-bad $?
(break 0) 2>/dev/null; s break-zero $?
(exit 1) ; s exit-1 $?
(. /nonexistent/file) 2>/dev/null; s dot-missing $?
(read v) 2>/dev/null < /dev/null; s read-eof $?
(printf "%q" x) 2>/dev/null; s printf-bad-conv $?
(printf) 2>/dev/null; s printf-no-format $?
(test 1 -gt) 2>/dev/null; s test-missing $?
([ 1 = 1) 2>/dev/null; s bracket-unclosed $?
(eval 'if') 2>/dev/null; s eval-syntax $?
(: ${undefined_q?}) 2>/dev/null; s param-question $?
(echo $((1/0))) 2>/dev/null; s div-zero $?
(x=${a=1}${b:=2}; echo "$x $a $b")
(set -- a b; echo ${@:-none} ${*:+set})
read_test() { printf 'one \\\n two\n' | { read a; echo "[$a]"; }; }; read_test
printf 'a:b:c\n' | { IFS=: read x y; echo "[$x] [$y]"; }
printf '  lead\n' | { read -r z; echo "[$z]"; }
printf 'x\n' | { read one two; echo "[$one] [$two]"; }
readonly ro2=1; (ro2=2) 2>/dev/null; s assign-readonly $?
(export ro2=3) 2>/dev/null; s export-readonly $?
echo end
