//! The RFC 6962 Merkle tree hash over the log, as a checkpoint's root hash line.
//!
//! The log's own integrity is its hash chain; the checkpoint format
//! (c2sp.org/tlog-checkpoint) asks for the RFC 6962 root of the tree whose
//! leaves are the entries. Each leaf is an entry's 32-byte chain value, which
//! already commits to the entry and to every one before it. The collector
//! keeps only the frontier (one subtree root per set bit of the size), so
//! extending a checkpoint costs the new entries, not the whole log.

use sha2::{Digest, Sha256};

/// A 32-byte hash.
pub type Hash = [u8; 32];

/// `SHA-256(0x00 || leaf)`.
pub fn leaf_hash(leaf: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([0u8]);
    h.update(leaf);
    h.finalize().into()
}

/// `SHA-256(0x01 || left || right)`.
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([1u8]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// The roots of the perfect subtrees that make up a tree of `size` leaves,
/// largest (leftmost) first.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Frontier {
    size: u64,
    nodes: Vec<Hash>,
}

impl Frontier {
    /// The empty tree.
    pub fn new() -> Self {
        Self::default()
    }

    /// Leaves so far.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Appends one leaf: merges equal-sized subtrees as a binary counter carries.
    pub fn push(&mut self, leaf: &[u8]) {
        let mut hash = leaf_hash(leaf);
        let mut size = self.size;
        while size & 1 == 1 {
            let left = self.nodes.pop().expect("one node per set bit");
            hash = node_hash(&left, &hash);
            size >>= 1;
        }
        self.nodes.push(hash);
        self.size += 1;
    }

    /// The tree hash: `SHA-256("")` when empty, else the subtrees folded from the right.
    pub fn root(&self) -> Hash {
        let mut nodes = self.nodes.iter().rev();
        let Some(last) = nodes.next() else {
            return Sha256::digest([]).into();
        };
        nodes.fold(*last, |right, left| node_hash(left, &right))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6962 section 2.1, written as the recursion it states.
    fn mth(leaves: &[Vec<u8>]) -> Hash {
        match leaves.len() {
            0 => Sha256::digest([]).into(),
            1 => leaf_hash(&leaves[0]),
            n => {
                // k: the largest power of two smaller than n.
                let mut k = 1;
                while k * 2 < n {
                    k *= 2;
                }
                node_hash(&mth(&leaves[..k]), &mth(&leaves[k..]))
            }
        }
    }

    #[test]
    fn the_frontier_root_is_the_rfc6962_tree_hash_at_every_size() {
        let leaves: Vec<Vec<u8>> = (0u8..70).map(|i| vec![i; 32]).collect();
        let mut frontier = Frontier::new();
        assert_eq!(frontier.root(), mth(&[]));
        for n in 1..=leaves.len() {
            frontier.push(&leaves[n - 1]);
            assert_eq!(frontier.size(), n as u64);
            assert_eq!(frontier.root(), mth(&leaves[..n]), "size {n}");
        }
    }

    #[test]
    fn the_empty_root_and_one_leaf_match_rfc6962() {
        assert_eq!(
            hex::encode(Frontier::new().root()),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        let mut one = Frontier::new();
        one.push(b"");
        // RFC 6962's leaf hash of the empty leaf: SHA-256(0x00).
        assert_eq!(
            hex::encode(one.root()),
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"
        );
    }
}
