# Failures leave the shell usable; statuses are right.
no-such-command-xyz 2>/dev/null; echo notfound $?
/nonexistent/prog 2>/dev/null; echo nopath $?
cd "${TMPDIR:-/tmp}"; f=sh-noexec-$$; echo 'echo hi' > $f; chmod -x $f
./$f 2>/dev/null; echo noexec $?
chmod +x $f; ./$f; echo script-without-shebang $?; rm -f $f
cat /nonexistent 2>/dev/null; echo cat $?
echo > /nonexistent/dir/file 2>/dev/null; echo redir $(( $? > 0 ))
cd /nonexistent 2>/dev/null; echo cd $(( $? > 0 ))
sh -c 'kill -9 $$'; echo killed $?
sh -c 'exit 300'; echo wrap $?
echo still alive
