//! Where a step is: the Worker and step a rule looks at ([`WorkerAt`], [`StepAt`]), and step
//! positions ([`StepPath`]) kept as segments and formatted only when a diagnostic needs them.

use std::fmt;

use crate::model::{Node, Step, Worker};

use super::{Link, Pattern};
use crate::validate::Target;

/// A Worker with its wires.
pub(crate) struct WorkerAt<'a, 'p> {
    pub node: &'a Node,
    pub worker: &'a Worker,
    pub links: &'p [Link<'a>],
    /// Each route's path pattern, parsed once for all rules (same order as the routes).
    pub patterns: Vec<Pattern<'a>>,
}

impl<'a> WorkerAt<'a, '_> {
    /// Visit every step of the Worker's routes, depth first.
    pub fn for_each_step(&self, visit: &mut dyn FnMut(&StepAt<'a, '_>)) {
        for (route_index, route) in self.worker.routes.iter().enumerate() {
            walk(&route.steps, &mut |path, step| {
                visit(&StepAt {
                    node: self.node,
                    links: self.links,
                    route_index,
                    path,
                    step,
                });
            });
        }
    }
}

/// A step with where it is.
pub(crate) struct StepAt<'a, 'p> {
    pub node: &'a Node,
    /// The Worker's wires (its bindings), looked up once per Worker.
    pub links: &'p [Link<'a>],
    pub route_index: usize,
    pub path: &'p StepPath,
    pub step: &'a Step,
}

impl<'a> StepAt<'a, '_> {
    /// The Worker's wire with this binding name.
    pub fn binding(&self, name: &str) -> Option<&Link<'a>> {
        self.links.iter().find(|l| l.wire.binding == name)
    }

    pub fn target(&self) -> Target {
        step_target(self.node, self.route_index, self.path)
    }
}

/// The diagnostic target of a step.
pub(crate) fn step_target(node: &Node, route: usize, path: &StepPath) -> Target {
    Target::Step {
        node: node.id.clone(),
        route,
        step: path.to_string(),
    }
}

/// One segment of a step position.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum PathPart {
    Index(usize),
    Then,
    Otherwise,
}

/// Segments a [`StepPath`] keeps without allocating; deeper positions spill into a vector.
const INLINE_PARTS: usize = 16;

/// A step's position (`3.then.0`), kept as segments and formatted only when displayed. The
/// walkers push and pop segments for every step, so the usual shallow paths need no
/// allocation.
#[derive(Clone, Debug)]
pub(crate) struct StepPath {
    inline: [PathPart; INLINE_PARTS],
    len: usize,
    deeper: Vec<PathPart>,
}

impl Default for StepPath {
    fn default() -> Self {
        Self {
            inline: [PathPart::Then; INLINE_PARTS],
            len: 0,
            deeper: Vec::new(),
        }
    }
}

impl PartialEq for StepPath {
    fn eq(&self, other: &Self) -> bool {
        self.parts().eq(other.parts())
    }
}

impl Eq for StepPath {}

impl StepPath {
    fn push(&mut self, part: PathPart) {
        match self.inline.get_mut(self.len) {
            Some(slot) => *slot = part,
            None => self.deeper.push(part),
        }
        self.len += 1;
    }

    pub fn push_index(&mut self, index: usize) {
        self.push(PathPart::Index(index));
    }

    pub fn push_branch(&mut self, then: bool) {
        self.push(if then {
            PathPart::Then
        } else {
            PathPart::Otherwise
        });
    }

    pub fn pop(&mut self) {
        if self.len > INLINE_PARTS {
            self.deeper.pop();
        }
        self.len = self.len.saturating_sub(1);
    }

    fn parts(&self) -> impl Iterator<Item = &PathPart> {
        self.inline[..self.len.min(INLINE_PARTS)]
            .iter()
            .chain(&self.deeper)
    }
}

impl fmt::Display for StepPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, segment) in self.parts().enumerate() {
            if i > 0 {
                f.write_str(".")?;
            }
            match segment {
                PathPart::Index(n) => write!(f, "{n}")?,
                PathPart::Then => f.write_str("then")?,
                PathPart::Otherwise => f.write_str("otherwise")?,
            }
        }
        Ok(())
    }
}

/// Visit every step of a list depth first (an `If` before its branches), with its position.
pub(crate) fn walk<'a>(steps: &'a [Step], visit: &mut dyn FnMut(&StepPath, &'a Step)) {
    fn go<'a>(path: &mut StepPath, steps: &'a [Step], visit: &mut dyn FnMut(&StepPath, &'a Step)) {
        for (index, step) in steps.iter().enumerate() {
            path.push_index(index);
            visit(path, step);
            if let Step::If {
                then, otherwise, ..
            } = step
            {
                path.push_branch(true);
                go(path, then, visit);
                path.pop();
                path.push_branch(false);
                go(path, otherwise, visit);
                path.pop();
            }
            path.pop();
        }
    }
    go(&mut StepPath::default(), steps, visit);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walk_formats_positions_like_the_model() {
        let steps = crate::testing::branching_steps();
        let mut seen = Vec::new();
        walk(&steps, &mut |path, _| seen.push(path.to_string()));
        let mut expected = Vec::new();
        crate::model::walk_steps(&steps, &mut |path, _| expected.push(path.to_owned()));
        assert_eq!(seen, expected);
        assert_eq!(seen, ["0", "1", "1.then.0", "1.otherwise.0"]);
    }

    #[test]
    fn deep_step_paths_spill_and_come_back() {
        let mut path = StepPath::default();
        let mut expected = Vec::new();
        for i in 0..20 {
            path.push_index(i);
            expected.push(i.to_string());
        }
        assert_eq!(path.to_string(), expected.join("."));
        for _ in 0..6 {
            path.pop();
            expected.pop();
        }
        path.push_branch(false);
        expected.push("otherwise".to_owned());
        assert_eq!(path.to_string(), expected.join("."));
        let mut same = StepPath::default();
        for part in &expected {
            match part.parse() {
                Ok(i) => same.push_index(i),
                Err(_) => same.push_branch(false),
            }
        }
        assert_eq!(path, same);
    }
}
