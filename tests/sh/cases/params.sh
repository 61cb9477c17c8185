# Parameter expansion: defaults, assignment, error-free forms, lengths, trims.
unset u; e=; v=value
echo "${u-dflt} ${u:-dflt} ${e-dflt} ${e:-dflt} ${v:-dflt}"
echo "${u+alt} ${e+alt} ${e:+alt} ${v:+alt}"
echo "${u:=assigned} $u"
echo ${#v} ${#u} ${#}
p=/usr/local/lib/file.tar.gz
echo ${p#*/} ${p##*/} ${p%.*} ${p%%.*}
echo "${p##*"/"}" ${v%"ue"}
set -- one two three
echo $# $1 $3 ${3} "$*" $@
IFS=:; echo "$*"; IFS=' 	
'
echo $(( 1 + 2 * 3 )) $(( (1+2)*3 )) $(( 7 / 2 )) $(( 7 % 3 )) $(( -3 + 1 ))
i=0; while [ $i -lt 5 ]; do i=$((i+1)); done; echo $i
echo $(( i += 10 )) $i $(( i > 3 && i < 100 )) $(( 1 ? 2 : 3 )) $(( 0x10 + 010 ))
a=1 b=2; echo $((a<<b)) $((a|b)) $((a^b)) $((~a)) $((!a))
echo $$ | grep -q '^[0-9][0-9]*$' && echo pid ok
