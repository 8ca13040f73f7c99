# An S3 server for ops/cluster: S3Proxy (the jar the app's tests run, from Maven Central) on its filesystem store,
# so that blobs outlive a restart. Source after common.sh.

S3PROXY_VERSION=4.1.0
S3_ACCESS_KEY=plaza-cluster-access
S3_SECRET_KEY=plaza-cluster-secret

s3proxy_jar() {
    local jar="$HOME/.m2/repository/org/gaul/s3proxy/$S3PROXY_VERSION/s3proxy-$S3PROXY_VERSION-jar-with-dependencies.jar"
    [[ -f "$jar" ]] || "${MVN[@]}" -q dependency:get -Dartifact="org.gaul:s3proxy:$S3PROXY_VERSION:jar:jar-with-dependencies" >&2
    echo "$jar"
}

# s3_start DIR PORT BUCKET: starts S3Proxy keeping its objects under DIR/objects, with the bucket made; waits until it
# answers. Sets S3_URL and S3_PID.
s3_start() {
    local dir=$1 port=$2 bucket=$3 jar
    jar=$(s3proxy_jar)
    mkdir -p "$dir/objects/$bucket"   # the filesystem store's buckets are its directories
    S3_URL="http://127.0.0.1:$port"
    cat > "$dir/s3proxy.conf" <<CONF
s3proxy.endpoint=$S3_URL
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=$S3_ACCESS_KEY
s3proxy.credential=$S3_SECRET_KEY
jclouds.provider=filesystem
jclouds.filesystem.basedir=$dir/objects
jclouds.identity=unused
jclouds.credential=unused
CONF
    java -Xmx256m -jar "$jar" --properties "$dir/s3proxy.conf" > "$dir/s3proxy.log" 2>&1 &
    S3_PID=$!
    for ((i = 0; i < 120; i++)); do
        # Any HTTP answer (an anonymous request is refused) means it listens.
        curl -s -o /dev/null "$S3_URL/" && return 0
        kill -0 "$S3_PID" 2>/dev/null || break
        sleep 0.5
    done
    echo "S3Proxy did not start; see $dir/s3proxy.log" >&2
    return 1
}
