package streamplatform.elasticsearch;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.apache.lucene.analysis.CharArraySet;
import org.apache.lucene.analysis.en.EnglishAnalyzer;
import org.apache.lucene.analysis.en.EnglishPossessiveFilter;
import org.apache.lucene.analysis.en.KStemFilter;
import org.apache.lucene.analysis.en.PorterStemFilter;
import org.apache.lucene.analysis.miscellaneous.ASCIIFoldingFilter;
import org.apache.lucene.analysis.ngram.EdgeNGramTokenFilter;
import org.apache.lucene.analysis.ngram.EdgeNGramTokenizer;
import org.elasticsearch.Build;
import org.elasticsearch.client.internal.node.NodeClient;
import org.elasticsearch.cluster.ClusterName;
import org.elasticsearch.cluster.metadata.IndexNameExpressionResolver;
import org.elasticsearch.cluster.node.DiscoveryNodes;
import org.elasticsearch.cluster.service.ClusterService;
import org.elasticsearch.common.io.stream.NamedWriteableRegistry;
import org.elasticsearch.common.settings.ClusterSettings;
import org.elasticsearch.common.settings.IndexScopedSettings;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.common.settings.SettingsFilter;
import org.elasticsearch.features.NodeFeature;
import org.elasticsearch.index.IndexVersion;
import org.elasticsearch.index.analysis.AbstractIndexAnalyzerProvider;
import org.elasticsearch.index.analysis.Analysis;
import org.elasticsearch.index.analysis.AnalyzerProvider;
import org.elasticsearch.index.analysis.TokenFilterFactory;
import org.elasticsearch.index.analysis.TokenizerFactory;
import org.elasticsearch.indices.analysis.AnalysisModule.AnalysisProvider;
import org.elasticsearch.node.Node;
import org.elasticsearch.plugins.ActionPlugin;
import org.elasticsearch.plugins.AnalysisPlugin;
import org.elasticsearch.plugins.Plugin;
import org.elasticsearch.rest.BaseRestHandler;
import org.elasticsearch.rest.RestController;
import org.elasticsearch.rest.RestHandler;
import org.elasticsearch.rest.RestRequest;
import org.elasticsearch.rest.RestResponse;
import org.elasticsearch.rest.RestStatus;
import org.elasticsearch.xcontent.XContentBuilder;

/**
 * Elasticsearch's distribution on Maven Central lacks the modules `rest-root` and
 * `analysis-common`. This module gives back the parts the platform uses, built on Lucene's own
 * analysis classes: the root endpoint (`GET /`, which clients call for the version), the
 * `english` analyzer, `edge_ngram` (tokenizer and filter, for suggestions), `asciifolding`
 * and the English stemmers. See local/src/servers/elasticsearch.ts.
 */
public class StreamPlatformPlugin extends Plugin implements ActionPlugin, AnalysisPlugin {
    private volatile ClusterService clusterService;

    @Override
    public Collection<?> createComponents(PluginServices services) {
        clusterService = services.clusterService();
        return List.of();
    }

    @Override
    public Collection<RestHandler> getRestHandlers(Settings settings, NamedWriteableRegistry registry,
            RestController controller, ClusterSettings clusterSettings, IndexScopedSettings indexSettings,
            SettingsFilter filter, IndexNameExpressionResolver resolver, Supplier<DiscoveryNodes> nodes,
            Predicate<NodeFeature> features) {
        return List.of(new BaseRestHandler() {
            @Override
            public String getName() {
                return "streamplatform_root_action";
            }

            @Override
            public List<Route> routes() {
                return List.of(new Route(RestRequest.Method.GET, "/"), new Route(RestRequest.Method.HEAD, "/"));
            }

            @Override
            protected RestChannelConsumer prepareRequest(RestRequest request, NodeClient client) {
                return channel -> {
                    Build build = Build.current();
                    XContentBuilder body = channel.newBuilder();
                    body.startObject()
                        .field("name", Node.NODE_NAME_SETTING.get(settings))
                        .field("cluster_name", ClusterName.CLUSTER_NAME_SETTING.get(settings).value())
                        .field("cluster_uuid", clusterService.state().metadata().clusterUUID())
                        .startObject("version")
                        .field("number", build.qualifiedVersion())
                        .field("build_flavor", build.flavor())
                        .field("build_type", build.type().displayName())
                        .field("build_hash", build.hash())
                        .field("build_date", build.date())
                        .field("build_snapshot", build.isSnapshot())
                        .field("lucene_version", IndexVersion.current().luceneVersion().toString())
                        .field("minimum_wire_compatibility_version", build.minWireCompatVersion())
                        .field("minimum_index_compatibility_version", build.minIndexCompatVersion())
                        .endObject()
                        .field("tagline", "You Know, for Search")
                        .endObject();
                    channel.sendResponse(new RestResponse(RestStatus.OK, body));
                };
            }
        });
    }

    @Override
    public Map<String, AnalysisProvider<AnalyzerProvider<? extends org.apache.lucene.analysis.Analyzer>>> getAnalyzers() {
        return Map.of("english", (indexSettings, env, name, settings) -> {
            CharArraySet stop = Analysis.parseStopWords(env, settings, EnglishAnalyzer.ENGLISH_STOP_WORDS_SET);
            CharArraySet keep = Analysis.parseStemExclusion(settings, CharArraySet.EMPTY_SET);
            EnglishAnalyzer analyzer = new EnglishAnalyzer(stop, keep);
            return new AbstractIndexAnalyzerProvider<EnglishAnalyzer>(name, settings) {
                @Override
                public EnglishAnalyzer get() {
                    return analyzer;
                }
            };
        });
    }

    @Override
    public Map<String, AnalysisProvider<TokenizerFactory>> getTokenizers() {
        return Map.of("edge_ngram", (indexSettings, env, name, settings) -> {
            int min = settings.getAsInt("min_gram", 1);
            int max = settings.getAsInt("max_gram", 2);
            return TokenizerFactory.newFactory(name, () -> new EdgeNGramTokenizer(min, max));
        });
    }

    private static TokenFilterFactory filter(String name, java.util.function.Function<org.apache.lucene.analysis.TokenStream, org.apache.lucene.analysis.TokenStream> create) {
        return new TokenFilterFactory() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public org.apache.lucene.analysis.TokenStream create(org.apache.lucene.analysis.TokenStream input) {
                return create.apply(input);
            }
        };
    }

    @Override
    public Map<String, AnalysisProvider<TokenFilterFactory>> getTokenFilters() {
        return Map.of(
            "edge_ngram", (indexSettings, env, name, settings) -> {
                int min = settings.getAsInt("min_gram", 1);
                int max = settings.getAsInt("max_gram", 2);
                boolean original = settings.getAsBoolean("preserve_original", false);
                return filter(name, input -> new EdgeNGramTokenFilter(input, min, max, original));
            },
            "asciifolding", (indexSettings, env, name, settings) -> {
                boolean original = settings.getAsBoolean("preserve_original", false);
                return filter(name, input -> new ASCIIFoldingFilter(input, original));
            },
            "porter_stem", (indexSettings, env, name, settings) -> filter(name, PorterStemFilter::new),
            "kstem", (indexSettings, env, name, settings) -> filter(name, KStemFilter::new),
            "stemmer", (indexSettings, env, name, settings) -> {
                String language = settings.get("language", "english");
                return switch (language) {
                    case "english", "porter" -> filter(name, PorterStemFilter::new);
                    case "light_english", "kstem" -> filter(name, KStemFilter::new);
                    case "possessive_english" -> filter(name, EnglishPossessiveFilter::new);
                    default -> throw new IllegalArgumentException("stemmer language [" + language + "] is not available here");
                };
            });
    }
}
