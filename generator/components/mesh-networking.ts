/**
 * TODO(#3): planner for the mesh-networking components (being written).
 */
import type { ComponentPlanner } from './component.ts';

export const planMeshNetworking: ComponentPlanner = () => [];
