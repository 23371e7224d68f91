//! Hyphenation patterns as a flat trie: three arrays instead of a node per allocation, so that
//! build.rs can compile the pattern files into bytes when the crate is built and a process only
//! copies them out at first use (parsing the Russian and British files cost each `babrpdf render`
//! about 1 ms, 7% of the whole process). This file uses nothing but `std`: build.rs includes it.

/// A trie node. Its children are `children[first_child..][..child_count]`, sorted by letter.
/// A pattern ends here when `values_len > 0`: its inter-letter values are
/// `values[values_at..][..values_len]`, applying from `start` letters into the match.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TrieNode {
    pub first_child: u32,
    pub child_count: u32,
    pub values_at: u32,
    pub values_len: u8,
    pub start: u8,
}

/// The compiled patterns. Node 0 is the root.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct FlatTrie {
    pub nodes: Vec<TrieNode>,
    pub children: Vec<(char, u32)>,
    pub values: Vec<u8>,
}

/// Bytes per node, per child and in the header of `FlatTrie::to_bytes`.
const NODE_BYTES: usize = 14;
const CHILD_BYTES: usize = 8;
const HEADER_BYTES: usize = 12;

/// A node while the trie is being built: children in a list of its own.
#[allow(
    dead_code,
    reason = "build.rs compiles the embedded pattern files; the library, only tests"
)]
#[derive(Default)]
struct GrowingNode {
    children: Vec<(char, u32)>,
    values: Option<(u8, Vec<u8>)>,
}

impl FlatTrie {
    /// Compiles a LibreOffice-style pattern file: an encoding line (UTF-8 only), then one
    /// pattern per line such as `.бе2з1а2`. Comments and directives (upper-case ASCII keywords)
    /// are skipped, and so are patterns longer than 255 letters (none exists).
    #[allow(
        dead_code,
        reason = "build.rs compiles the embedded pattern files; the library, only tests"
    )]
    pub fn compile(text: &str) -> FlatTrie {
        let mut nodes = vec![GrowingNode::default()];
        for line in text.lines().skip(1) {
            let line = line.trim();
            if line.is_empty()
                || line.starts_with(['%', '#'])
                || line.starts_with(|c: char| c.is_ascii_uppercase())
            {
                continue;
            }
            let mut letters = String::new();
            // values[i] is the value before letter i (values.len() == letters + 1).
            let mut values: Vec<u8> = vec![0];
            for c in line.chars() {
                if let Some(d) = c.to_digit(10) {
                    *values.last_mut().expect("never empty") = d as u8;
                } else {
                    letters.push(c);
                    values.push(0);
                }
            }
            let Some(start) = values.iter().position(|&v| v > 0) else {
                continue;
            };
            let end = values.iter().rposition(|&v| v > 0).map_or(start, |e| e + 1);
            let (Ok(start_byte), Ok(_)) = (u8::try_from(start), u8::try_from(end - start)) else {
                continue;
            };
            let mut at = 0usize;
            for c in letters.chars() {
                let children = &nodes[at].children;
                at = match children.binary_search_by_key(&c, |&(k, _)| k) {
                    Ok(i) => children[i].1 as usize,
                    Err(i) => {
                        let id = nodes.len();
                        nodes[at].children.insert(i, (c, id as u32));
                        nodes.push(GrowingNode::default());
                        id
                    }
                };
            }
            nodes[at].values = Some((start_byte, values[start..end].to_vec()));
        }

        let mut trie = FlatTrie::default();
        for node in &nodes {
            let mut flat = TrieNode {
                first_child: trie.children.len() as u32,
                child_count: node.children.len() as u32,
                ..TrieNode::default()
            };
            trie.children.extend_from_slice(&node.children);
            if let Some((start, values)) = &node.values {
                flat.values_at = trie.values.len() as u32;
                flat.values_len = values.len() as u8;
                flat.start = *start;
                trie.values.extend_from_slice(values);
            }
            trie.nodes.push(flat);
        }
        trie
    }

    /// The trie as little-endian bytes: the three lengths, then nodes, children and values.
    #[allow(
        dead_code,
        reason = "build.rs compiles the embedded pattern files; the library, only tests"
    )]
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(
            HEADER_BYTES
                + self.nodes.len() * NODE_BYTES
                + self.children.len() * CHILD_BYTES
                + self.values.len(),
        );
        for len in [self.nodes.len(), self.children.len(), self.values.len()] {
            out.extend_from_slice(&(len as u32).to_le_bytes());
        }
        for n in &self.nodes {
            out.extend_from_slice(&n.first_child.to_le_bytes());
            out.extend_from_slice(&n.child_count.to_le_bytes());
            out.extend_from_slice(&n.values_at.to_le_bytes());
            out.extend_from_slice(&[n.values_len, n.start]);
        }
        for &(c, node) in &self.children {
            out.extend_from_slice(&(c as u32).to_le_bytes());
            out.extend_from_slice(&node.to_le_bytes());
        }
        out.extend_from_slice(&self.values);
        out
    }

    /// Reads what `to_bytes` wrote; `None` when the bytes are cut short or a node points
    /// outside the arrays, so a lookup can never index out of bounds.
    pub fn from_bytes(bytes: &[u8]) -> Option<FlatTrie> {
        let u32_at = |at: usize| -> Option<u32> {
            Some(u32::from_le_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
        };
        let node_count = u32_at(0)? as usize;
        let child_count = u32_at(4)? as usize;
        let value_count = u32_at(8)? as usize;
        let children_at = HEADER_BYTES.checked_add(node_count.checked_mul(NODE_BYTES)?)?;
        let values_at = children_at.checked_add(child_count.checked_mul(CHILD_BYTES)?)?;
        if bytes.len() != values_at.checked_add(value_count)? || node_count == 0 {
            return None;
        }
        let mut trie = FlatTrie {
            nodes: Vec::with_capacity(node_count),
            children: Vec::with_capacity(child_count),
            values: bytes[values_at..].to_vec(),
        };
        for k in 0..node_count {
            let at = HEADER_BYTES + k * NODE_BYTES;
            let node = TrieNode {
                first_child: u32_at(at)?,
                child_count: u32_at(at + 4)?,
                values_at: u32_at(at + 8)?,
                values_len: bytes[at + 12],
                start: bytes[at + 13],
            };
            let children_end = u64::from(node.first_child) + u64::from(node.child_count);
            let values_end = u64::from(node.values_at) + u64::from(node.values_len);
            if children_end > child_count as u64 || values_end > value_count as u64 {
                return None;
            }
            trie.nodes.push(node);
        }
        for k in 0..child_count {
            let at = children_at + k * CHILD_BYTES;
            let letter = char::from_u32(u32_at(at)?)?;
            let node = u32_at(at + 4)?;
            if node as usize >= node_count {
                return None;
            }
            trie.children.push((letter, node));
        }
        Some(trie)
    }

    /// The child of `node` reached by `c`.
    #[inline]
    pub fn child(&self, node: usize, c: char) -> Option<usize> {
        let n = &self.nodes[node];
        let children = &self.children[n.first_child as usize..][..n.child_count as usize];
        children
            .binary_search_by_key(&c, |&(k, _)| k)
            .ok()
            .map(|i| children[i].1 as usize)
    }

    /// The values of the pattern ending at `node`, and how many letters into the match they
    /// start; `None` when no pattern ends there.
    #[inline]
    pub fn values(&self, node: usize) -> Option<(usize, &[u8])> {
        let n = &self.nodes[node];
        (n.values_len > 0).then(|| {
            (
                usize::from(n.start),
                &self.values[n.values_at as usize..][..usize::from(n.values_len)],
            )
        })
    }
}
