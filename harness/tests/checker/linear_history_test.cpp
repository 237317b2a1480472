// linear-history and unknown-op: the server's version chain is unbroken,
// conditional writes replaced what they named, tokens never repeat, and
// every op id the server recorded belongs to a client op of that resource.

#include <gtest/gtest.h>

#include "history_builder.hpp"

namespace conflictlab::harness::testing {
namespace {

// A set-add history with one acknowledged op per write, so only the chain
// itself can produce anomalies.
History chain_history(std::vector<ServerWrite> writes, std::uint64_t dropped = 0) {
    std::vector<OpRecord> ops;
    std::vector<std::string> elements;
    for (const ServerWrite& w : writes) {
        if (w.op_id.empty())
            continue;
        ops.push_back(set_op(w.op_id, "r", "x-" + w.op_id, Fate::success));
        elements.push_back("x-" + w.op_id);
    }
    ServerResource r = resource("r", std::move(writes), items(elements));
    r.dropped = dropped;
    return make_history(WorkloadKind::set_add, std::move(ops), {r});
}

TEST(CheckerLinearHistory, UnbrokenChainOfConditionalWrites_IsClean) {
    const CheckReport report = check_history(chain_history(chain({"o1", "o2", "o3"})));
    EXPECT_TRUE(report.clean());
    EXPECT_EQ(report.server_writes, 3u);
}

TEST(CheckerLinearHistory, WriteReplacingAnythingButItsPredecessor_IsBrokenChain) {
    std::vector<ServerWrite> writes = chain({"o1", "o2"});
    writes.push_back(write(3, "e3", "e1", "o3"));  // replaced e1, but e2 was current
    const CheckReport report = check_history(chain_history(writes));
    EXPECT_EQ(report.linearity_violations, 1u);
    const Anomaly a = only_anomaly(report);
    EXPECT_EQ(a.kind, "linear-history");
    EXPECT_EQ(a.resource_id, "r");
    EXPECT_EQ(a.op_ids, (std::vector<std::string>{"o3"}));
    EXPECT_EQ(a.versions, (std::vector<std::string>{"e2", "e1", "e3"}));
    EXPECT_EQ(a.detail,
              "write version 3 (op \"o3\") replaced \"e1\" but the previous write (version 2) "
              "produced \"e2\"");
}

TEST(CheckerLinearHistory, ConditionalWriteThatDidNotReplaceWhatItNamed_IsReported) {
    std::vector<ServerWrite> writes = chain({"o1", "o2"});
    writes[1].named_etag = "e0";  // If-Match: "e0" yet e1 was replaced
    const Anomaly a = only_anomaly(check_history(chain_history(writes)));
    EXPECT_EQ(a.kind, "linear-history");
    EXPECT_EQ(a.op_ids, (std::vector<std::string>{"o2"}));
    EXPECT_EQ(a.versions, (std::vector<std::string>{"e0", "e1", "e2"}));
    EXPECT_EQ(a.detail, "conditional write version 2 (op \"o2\") named \"e0\" but replaced \"e1\"");
}

TEST(CheckerLinearHistory, IfMatchStar_ReplacesWhateverIsCurrent) {
    std::vector<ServerWrite> writes = chain({"o1", "o2"});
    writes[1].named_etag = "*";
    EXPECT_TRUE(check_history(chain_history(writes)).clean());
}

TEST(CheckerLinearHistory, IfMatchList_ReplacedOneOfTheNamedVersions) {
    std::vector<ServerWrite> writes = chain({"o1", "o2", "o3"});
    writes[1].named_etag = "\"zz\", \"e1\"";  // If-Match as sent: a list
    writes[2].named_etag = "\"zz\", \"e0\"";  // names neither e2 nor anything current
    const Anomaly a = only_anomaly(check_history(chain_history(writes)));
    EXPECT_EQ(a.op_ids, (std::vector<std::string>{"o3"}));
    EXPECT_EQ(
        a.detail,
        "conditional write version 3 (op \"o3\") named \"\"zz\", \"e0\"\" but replaced \"e2\"");
}

TEST(CheckerLinearHistory, IfNoneMatchCreation_NamesNoToken) {
    std::vector<ServerWrite> writes = chain({"o1"});
    writes[0].conditional = true;  // If-None-Match: *
    writes[0].named_etag.clear();
    EXPECT_TRUE(check_history(chain_history(writes)).clean());
}

TEST(CheckerLinearHistory, UnconditionalWrite_NamesNothingToCheck) {
    std::vector<ServerWrite> writes = chain({"o1", "o2"});
    writes[1].conditional = false;
    writes[1].named_etag = "stale";
    EXPECT_TRUE(check_history(chain_history(writes)).clean());
}

TEST(CheckerLinearHistory, QuotedAndBareFormsOfOneToken_AreTheSameVersion) {
    std::vector<ServerWrite> writes = chain({"o1", "o2", "o3"});
    writes[1].named_etag = "\"e1\"";
    writes[2].named_etag = "W/\"e2\"";
    EXPECT_TRUE(check_history(chain_history(writes)).clean());
}

TEST(CheckerLinearHistory, TokenProducedTwice_IsReported) {
    std::vector<ServerWrite> writes = chain({"o1", "o2"});
    writes.push_back(write(3, "e1", "e2", "o3"));  // ABA: e1 again
    const Anomaly a = only_anomaly(check_history(chain_history(writes)));
    EXPECT_EQ(a.kind, "linear-history");
    EXPECT_EQ(a.op_ids, (std::vector<std::string>{"o3"}));
    EXPECT_EQ(a.versions, (std::vector<std::string>{"e1"}));
    EXPECT_EQ(a.detail,
              "write version 3 (op \"o3\") produced \"e1\", already produced by version 1");
}

TEST(CheckerLinearHistory, HistoryTruncatedByTheCap_FirstReplacedTokenIsTolerated) {
    const std::vector<ServerWrite> writes{write(41, "e41", "e40", "o41"),
                                          write(42, "e42", "e41", "o42")};
    const CheckReport report = check_history(chain_history(writes, 40));
    EXPECT_TRUE(report.clean());
    EXPECT_EQ(report.server_writes_dropped, 40u);
}

TEST(CheckerLinearHistory, UntruncatedHistoryStartingWithAReplacement_IsAGap) {
    const std::vector<ServerWrite> writes{write(2, "e2", "e1", "o2")};
    const Anomaly a = only_anomaly(check_history(chain_history(writes)));
    EXPECT_EQ(a.kind, "linear-history");
    EXPECT_EQ(a.versions, (std::vector<std::string>{"e1", "e2"}));
    EXPECT_EQ(a.detail,
              "write version 2 (op \"o2\") replaced \"e1\", a version the history never produced "
              "(no write was dropped)");
}

TEST(CheckerLinearHistory, DeleteThenRecreate_IsAnUnbrokenChain) {
    std::vector<ServerWrite> writes = chain({"o1"});
    writes.push_back(write(2, "", "e1", ""));    // DELETE (fault): no token produced
    writes.push_back(write(3, "e3", "", "o3"));  // If-None-Match: * re-creation
    writes.back().named_etag = "*";
    writes.push_back(write(4, "", "e3", ""));
    writes.push_back(write(5, "e5", "", "o5"));  // creation naming nothing
    const CheckReport report = check_history(chain_history(writes));
    EXPECT_EQ(report.linearity_violations, 0u);
    EXPECT_EQ(report.unknown_ops, 0u);
}

TEST(CheckerUnknownOp, ServerWriteWithAnOpIdNoClientIssued_IsReported) {
    std::vector<ServerWrite> writes = chain({"o1", "o2"});
    History h = chain_history(writes);
    h.ops.erase(h.ops.begin() + 1);  // the client never issued o2
    const CheckReport report = check_history(h);
    EXPECT_EQ(report.unknown_ops, 1u);
    const Anomaly a = only_anomaly(report);
    EXPECT_EQ(a.kind, "unknown-op");
    EXPECT_EQ(a.op_ids, (std::vector<std::string>{"o2"}));
    EXPECT_EQ(a.versions, (std::vector<std::string>{"e2"}));
    EXPECT_EQ(a.detail,
              "server write version 2 (writer \"w\") names op id \"o2\" that no client op has");
}

TEST(CheckerUnknownOp, OpIdTheClientIssuedForAnotherResource_IsReported) {
    History h = chain_history(chain({"o1"}));
    h.ops.push_back(set_op("o9", "elsewhere", "z", Fate::timeout));
    h.resources.at("r").writes.push_back(write(2, "e2", "e1", "o9"));
    const Anomaly a = only_anomaly(check_history(h));
    EXPECT_EQ(a.kind, "unknown-op");
    EXPECT_EQ(a.detail,
              "server write version 2 (writer \"w\") names op id \"o9\" that the client issued "
              "for resource \"elsewhere\"");
}

TEST(CheckerUnknownOp, WriteWithoutOpId_IsAForeignWriteNotAnUnknownOp) {
    std::vector<ServerWrite> writes = chain({"o1"});
    writes.push_back(write(2, "e2", "e1", ""));
    const CheckReport report = check_history(chain_history(writes));
    EXPECT_TRUE(report.clean());
}

}  // namespace
}  // namespace conflictlab::harness::testing
