# Pathname expansion.
cd "${TMPDIR:-/tmp}" || exit 1
d=sh-glob-$$; mkdir $d && cd $d || exit 1
touch a1 a2 b1 .hidden 'sp ace'
mkdir sub; touch sub/x sub/y
echo *; echo a*; echo ?1; echo [ab]2; echo [!a]*; echo sub/*; echo */x
echo nomatch* "quoted*" '*'
echo .*[!.]
x='a*'; echo $x "$x"
set -f; echo *; set +f
for f in *; do echo "f=$f"; done
cd ..; rm -r $d
