package io.airlock.store.workspace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.airlock.core.workspace.Change;
import io.airlock.core.workspace.Change.EntryType;
import io.airlock.core.workspace.Change.Kind;
import io.airlock.core.workspace.WorkspaceLimitException;
import io.airlock.core.workspace.WorkspaceLimits;
import java.util.List;
import org.junit.jupiter.api.Test;

class TreeTest {
    private static Entry file(String path, String blob) {
        return Entry.file(path, 0644, blob.length(), blob.repeat(64 / blob.length() + 1).substring(0, 64));
    }

    private static Tree tree(Entry... entries) {
        return Tree.of(List.of(entries));
    }

    @Test
    void pathProblems_nameWhatIsWrong() {
        assertThat(Tree.pathProblem("a/b.txt")).isNull();
        assertThat(Tree.pathProblem("")).contains("empty");
        assertThat(Tree.pathProblem("/etc/x")).contains("absolute");
        assertThat(Tree.pathProblem("../x")).contains("'..'");
        assertThat(Tree.pathProblem("a/./x")).contains("'.'");
        assertThat(Tree.pathProblem("a//x")).contains("empty component");
        assertThat(Tree.pathProblem("a/")).contains("empty component");
        assertThat(Tree.pathProblem("a\0b")).contains("NUL");
        assertThat(Tree.pathProblem("x".repeat(256))).contains("255");
        assertThat(Tree.pathProblem("x".repeat(255))).isNull();
        assertThat(Tree.pathProblem(("a".repeat(200) + "/").repeat(21) + "b")).contains("4096");
        assertThat(Tree.pathProblem("a/".repeat(256) + "b")).contains("deep");
    }

    @Test
    void problems_entryUnderAFileOrLinkOrWithoutItsDirectory() {
        Tree t = tree(Entry.link("a", "/tmp"), file("a/x", "1"), file("f", "2"), file("f/y", "3"), file("nodir/z", "4"),
                Entry.dir("d", 0755), file("d/ok", "5"));
        assertThat(t.problems()).containsOnlyKeys("a/x", "f/y", "nodir/z");
        assertThat(t.problems().get("a/x")).contains("'a' is a link");
        assertThat(t.problems().get("nodir/z")).contains("not in the tree");
    }

    @Test
    void limits_countEntriesAndBytes() {
        Tree t = tree(Entry.dir("d", 0755), Entry.file("d/f", 0644, 100, "a".repeat(64)));
        t.checkLimits(new WorkspaceLimits(100, 2));
        assertThatThrownBy(() -> t.checkLimits(new WorkspaceLimits(99, 2))).isInstanceOf(WorkspaceLimitException.class)
                .hasMessageContaining("100 bytes").hasMessageContaining("99");
        assertThatThrownBy(() -> t.checkLimits(new WorkspaceLimits(100, 1))).isInstanceOf(WorkspaceLimitException.class)
                .hasMessageContaining("2 files, directories and links");
    }

    @Test
    void diff_addedModifiedDeletedWithSizes() {
        Tree a = tree(file("keep", "k"), file("mod", "m1"), file("gone", "ggg"), Entry.dir("d", 0755));
        Tree b = tree(file("keep", "k"), file("mod", "m22"), file("new", "nnnn"), Entry.dir("d", 0700));
        assertThat(Tree.diff(a, b)).containsExactly(
                new Change("d", Kind.MODIFIED, EntryType.DIR, 0),
                new Change("gone", Kind.DELETED, EntryType.FILE, 3),
                new Change("mod", Kind.MODIFIED, EntryType.FILE, 3),
                new Change("new", Kind.ADDED, EntryType.FILE, 4));
        assertThat(Tree.diff(a, a)).isEmpty();
    }

    @Test
    void merge_disjointChangesAreMerged() {
        Tree base = tree(file("a", "1"), file("b", "2"));
        Tree head = tree(file("a", "1x"), file("b", "2"));
        Tree mine = tree(file("a", "1"), file("b", "2"), file("c", "3"));
        Tree.Merge m = Tree.merge(base, head, mine);
        assertThat(m.conflicts()).isEmpty();
        assertThat(m.tree().sameAs(tree(file("a", "1x"), file("b", "2"), file("c", "3")))).isTrue();
    }

    @Test
    void merge_samePathChangedDifferently_isAConflict() {
        Tree base = tree(file("a", "1"), file("b", "2"));
        Tree head = tree(file("a", "head"), file("b", "2"));
        Tree mine = tree(file("a", "mine"), file("b", "2x"));
        Tree.Merge m = Tree.merge(base, head, mine);
        assertThat(m.tree()).isNull();
        assertThat(m.conflicts()).containsExactly("a");
    }

    @Test
    void merge_sameResultOnBothSides_isNoConflict() {
        Tree base = tree(file("a", "1"));
        Tree both = tree(file("a", "2"), file("n", "3"));
        Tree.Merge m = Tree.merge(base, both, both);
        assertThat(m.conflicts()).isEmpty();
        assertThat(m.tree().sameAs(both)).isTrue();
        // deleted on both sides is the same result too
        assertThat(Tree.merge(base, Tree.EMPTY, Tree.EMPTY).tree().sameAs(Tree.EMPTY)).isTrue();
    }

    @Test
    void merge_deleteAgainstModify_isAConflict() {
        Tree base = tree(file("a", "1"));
        assertThat(Tree.merge(base, Tree.EMPTY, tree(file("a", "2"))).conflicts()).containsExactly("a");
        assertThat(Tree.merge(base, tree(file("a", "2")), Tree.EMPTY).conflicts()).containsExactly("a");
    }

    @Test
    void merge_fileAgainstDirectory_isAConflict() {
        Tree head = tree(file("x", "1"));
        Tree mine = tree(Entry.dir("x", 0755), file("x/y", "2"));
        assertThat(Tree.merge(Tree.EMPTY, head, mine).conflicts()).containsExactly("x");
    }

    @Test
    void merge_fileAddedIntoADirectoryTheOtherSideDeleted_isAConflictNotABrokenTree() {
        Tree base = tree(Entry.dir("d", 0755), file("d/old", "1"));
        Tree head = Tree.EMPTY; // deleted d
        Tree mine = tree(Entry.dir("d", 0755), file("d/old", "1"), file("d/new", "2"));
        Tree.Merge m = Tree.merge(base, head, mine);
        assertThat(m.tree()).isNull();
        assertThat(m.conflicts()).containsExactly("d/new");
    }

    @Test
    void manifest_roundTrips() {
        Tree t = tree(Entry.dir("d", 0700), Entry.file("d/f", 0755, 3, "b".repeat(64)), Entry.link("l", "../x"));
        Tree back = Tree.fromJson(t.toJson());
        assertThat(back.sameAs(t)).isTrue();
        assertThat(back.get("l").target()).isEqualTo("../x");
        assertThat(back.get("d/f").mode()).isEqualTo(0755);
    }
}
