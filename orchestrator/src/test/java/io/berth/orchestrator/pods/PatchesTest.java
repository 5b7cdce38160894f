package io.berth.orchestrator.pods;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.berth.orchestrator.api.ApiException;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class PatchesTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static JsonNode j(String s) {
        return JSON.readTree(s.replace('\'', '"'));
    }

    private static final String POD = """
            {'metadata':{'name':'p','labels':{'a':'1','b':'2'}},
             'spec':{'containers':[{'name':'one','image':'x','env':[{'name':'A','value':'1'},{'name':'B','value':'2'}]},
                                   {'name':'two','image':'y','args':['--v','--w']}]}}""";

    @Test
    void mergePatchReplacesListsAndNullDeletes() {
        JsonNode out = Patches.mergePatch(j(POD), j("{'metadata':{'labels':{'a':null,'c':'3'}},'spec':{'containers':[{'name':'only'}]}}"));
        assertThat(out.path("metadata").path("labels")).isEqualTo(j("{'b':'2','c':'3'}"));
        assertThat(out.path("spec").path("containers")).isEqualTo(j("[{'name':'only'}]"));
    }

    @Test
    void strategicMergeMergesListsByTheirKey() {
        JsonNode out = Patches.strategicMergePatch(j(POD), j("""
                {'$setElementOrder/containers':[{'name':'one'},{'name':'two'}],
                 'spec':{'containers':[{'name':'two','image':'z'},{'name':'three','image':'w'}]}}"""));
        JsonNode cs = out.path("spec").path("containers");
        assertThat(cs.size()).isEqualTo(3);
        assertThat(cs.get(0).path("env").size()).isEqualTo(2);
        assertThat(cs.get(1)).isEqualTo(j("{'name':'two','image':'z','args':['--v','--w']}"));
        assertThat(cs.get(2).path("name").asString()).isEqualTo("three");
    }

    @Test
    void strategicMergeDirectives() {
        JsonNode deleted = Patches.strategicMergePatch(j(POD), j("""
                {'spec':{'containers':[{'name':'one','env':[{'name':'A','$patch':'delete'}]},{'name':'two','$patch':'delete'}]}}"""));
        assertThat(deleted.path("spec").path("containers").size()).isEqualTo(1);
        assertThat(deleted.path("spec").path("containers").get(0).path("env")).isEqualTo(j("[{'name':'B','value':'2'}]"));

        JsonNode replaced = Patches.strategicMergePatch(j(POD), j("{'metadata':{'labels':{'$patch':'replace','z':'9'}}}"));
        assertThat(replaced.path("metadata").path("labels")).isEqualTo(j("{'z':'9'}"));

        JsonNode replacedList = Patches.strategicMergePatch(j(POD),
                j("{'spec':{'containers':[{'$patch':'replace'},{'name':'new','image':'n'}]}}"));
        assertThat(replacedList.path("spec").path("containers")).isEqualTo(j("[{'name':'new','image':'n'}]"));

        JsonNode primitive = Patches.strategicMergePatch(j(POD), j("""
                {'spec':{'containers':[{'name':'two','$deleteFromPrimitiveList/args':['--v']}]}}"""));
        assertThat(primitive.path("spec").path("containers").get(1).path("args")).isEqualTo(j("['--w']"));

        JsonNode retained = Patches.strategicMergePatch(j(POD), j("{'metadata':{'$retainKeys':['name'],'name':'p'}}"));
        assertThat(retained.path("metadata")).isEqualTo(j("{'name':'p'}"));
    }

    @Test
    void aListItemWithoutItsMergeKeyIsABadRequest() {
        assertThatThrownBy(() -> Patches.strategicMergePatch(j(POD), j("{'spec':{'containers':[{'image':'q'}]}}")))
                .isInstanceOf(ApiException.class).hasMessageContaining("no merge key \"name\"");
    }
}
