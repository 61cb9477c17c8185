# Lists and compound commands.
true && echo and1; false && echo and2; false || echo or1; true || echo or2
false; echo $?; true; echo $?; ! false; echo $?; ! true; echo $?
if false; then echo no; elif true; then echo elif; else echo else; fi
if true; then :; fi; echo if-status $?
for w in a b c; do echo "w=$w"; done
for w; do echo never; done
n=0; until [ $n -ge 3 ]; do n=$((n+1)); echo n$n; done
for i in 1 2 3 4 5; do
  if [ $i = 2 ]; then continue; fi
  if [ $i = 4 ]; then break; fi
  echo i$i
done
for i in 1 2; do for j in a b; do [ $j = b ] && continue 2; echo $i$j; done; done
for i in 1 2; do for j in a b; do break 2; done; echo never; done; echo after
case hello in
  h*o) echo glob-match ;;
  *) echo no ;;
esac
case x in (a|x) echo alt;; esac
case "a*" in 'a*') echo quoted;; esac
case abc in a?c) echo qmark;; esac
case b in [abc]) echo class;; esac
case z in a) echo no;; esac; echo case-status $?
{ echo group; echo more; } | sort -r
(cd /; pwd); x=outer; (x=inner); echo $x
f() { echo "f called with $# args: $*"; return 7; }
f a b; echo $?
g() { local_v=set; }; g; echo $local_v
fact() { if [ $1 -le 1 ]; then echo 1; else echo $(( $1 * $(fact $(( $1 - 1 ))) )); fi; }
fact 6
while read line; do echo "read: $line"; done <<END
first
second line
END
echo done
printf '3\n1\n2\n' | sort | while read x; do echo "piped $x"; done
echo a | until read x; do echo never; done; echo until-piped $?
sh -c '! true'; echo bang-last $?
(! false); echo bang-sub $?
case x in x) ;; esac; echo empty-body $?
case y in
  x) echo no ;;
  y)
  ;;
esac; echo empty-body2 $?
