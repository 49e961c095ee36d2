"""Body posing: rigged human models, forward kinematics, LBS and DQS skinning.

Modules: :mod:`~explorer.core.body.model` (the model and rotations),
:mod:`~explorer.core.body.pose` (poses and pose files),
:mod:`~explorer.core.body.skinning` (FK, LBS, DQS, normals, volume),
:mod:`~explorer.core.body.anny_adapter` and :mod:`~explorer.core.body.smpl_npz`
(where bodies come from), :mod:`~explorer.core.body.presets`,
:mod:`~explorer.core.body.export` and :mod:`~explorer.core.body.service` (the job);
:mod:`~explorer.core.body.names` (torch-free) holds the choices the CLI and the
panel offer.
"""
