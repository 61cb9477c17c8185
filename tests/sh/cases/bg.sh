# Background jobs and wait.
sleep 1 & p=$!
echo started
wait $p; echo waited $?
(exit 5) & q=$!
wait $q; echo status $?
for i in 1 2 3; do (echo job$i > /dev/null) & done
wait; echo all-done $?
sh -c 'sleep 0.2; exit 2' & wait $!; echo $?
