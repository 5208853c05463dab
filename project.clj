;; Leiningen builds the jar that `sparse run` and `sparse submit` hand to Storm.
;; Storm itself comes from the Storm home assembled by tools/bootstrap (same version);
;; the jar carries only Flux (which reads the topology YAML), msgpack-java (for the
;; multilang serializer), the project's Java classes (src/jvm/) and our Python sources
;; under resources/ (copied there from src/ by sparse).
(def storm-version "2.8.3")

(defproject logstorm "0.1.0-SNAPSHOT"
  :description "Real-time log analytics and WordCount on Apache Storm, in Python (streamparse)."
  :resource-paths ["_resources"]
  :java-source-paths ["src/jvm"]
  :target-path "_build"
  :min-lein-version "2.0.0"
  :jvm-opts ["-client"]
  ;; Downloads are cached inside the project (git-ignored), shared with tools/bootstrap.
  :local-repo ".cache/m2"
  ;; Storm's Clojure DSL needs carbonite, published only on Clojars; Python topologies
  ;; never use it (tools/storm-home/pom.xml leaves it out of the Storm home too).
  :exclusions [org.apache.storm/storm-clojure]
  ;; flux-core is installed into .cache/m2 by tools/bootstrap: Maven Central has its jar
  ;; but not its parent POM, so it is registered with a generated POM.
  ;; msgpack-core: logstorm.storm.MsgpackSerializer, the Java side of "serializer": "msgpack".
  :dependencies [[org.apache.storm/flux-core ~storm-version]
                 [org.msgpack/msgpack-core "0.9.10"]]
  ;; :base is emptied because Lein's default one pulls nREPL from Clojars.
  ;; :provided keeps Storm on the compile classpath but out of the uberjar.
  :profiles {:base {}
             :provided {:dependencies [[org.apache.storm/storm-core ~storm-version]]}}
  ;; Keep Flux, msgpack-core, our classes, our Python resources and the manifest; drop the copies of
  ;; snakeyaml, commons-cli, *.yaml and the sample multilang scripts that flux-core bundles
  ;; (Storm's own lib/ provides the former; two defaults.yaml are an error), and the Java
  ;; sources that sparse copies into resources/ with the rest of src/. Of our Python, only
  ;; what runs in a worker: not the dashboard, the shipper, the traffic generator or the
  ;; console view of `sparse run` (each runs in its own process beside Storm, from .venv;
  ;; tests/test_jar_contents.py checks no worker imports them), nor setuptools' metadata.
  :jar-exclusions [#"^(?!resources/|org/apache/storm/flux/|org/msgpack/|logstorm/storm/[^/]+\.class$|META-INF/MANIFEST\.MF$).*"
                   #"^resources/(storm\.(py|rb|js)|splitsentence\.py|randomsentence\.js)$"
                   #"^resources/jvm/"
                   #"^resources/logstorm/(dashboard/|shipping/shipper\.py$|traffic\.py$|output/console\.py$)"
                   #"^resources/[^/]+\.egg-info/"]
  :uberjar-exclusions [#"^(?!resources/|org/apache/storm/flux/|org/msgpack/|logstorm/storm/[^/]+\.class$|META-INF/MANIFEST\.MF$).*"
                       #"^resources/(storm\.(py|rb|js)|splitsentence\.py|randomsentence\.js)$"
                       #"^resources/jvm/"
                       #"^resources/logstorm/(dashboard/|shipping/shipper\.py$|traffic\.py$|output/console\.py$)"
                       #"^resources/[^/]+\.egg-info/"])
